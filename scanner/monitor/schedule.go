package monitor

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// cronParser reads five-field cron expressions (an optional leading seconds
// field too) and the descriptors @every 6h, @hourly, @daily, @weekly, @monthly.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a target's schedule.
func ParseSchedule(spec string) (cron.Schedule, error) {
	return cronParser.Parse(strings.TrimSpace(spec))
}

// MinScheduleInterval is the shortest time a schedule may leave between two
// scans of a target. A scan takes seconds to minutes and loads the site like a
// visitor; a schedule faster than this is a typo ("@every 1ms") or a load test.
const MinScheduleInterval = time.Minute

// minScheduleInterval is MinScheduleInterval; the package's own tests lower it
// to scan a fixture every second or two.
var minScheduleInterval = MinScheduleInterval

// checkInterval refuses a schedule that runs more often than
// minScheduleInterval, or never. "@every" is judged as written, since the cron
// library rounds anything under a second up to one; a cron expression by the
// shortest gap among its next runs (the gaps of a cron schedule repeat, and
// only a seconds field can make them shorter than a minute).
func checkInterval(spec string, s cron.Schedule) error {
	spec = strings.TrimSpace(spec)
	if rest, ok := strings.CutPrefix(spec, "@every "); ok {
		if d, err := time.ParseDuration(strings.TrimSpace(rest)); err == nil && d < minScheduleInterval {
			return fmt.Errorf("runs every %s; leave at least %s between scans", d, short(minScheduleInterval))
		}
		return nil
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := s.Next(from)
	if prev.IsZero() {
		return errors.New("never runs (no date matches it)")
	}
	shortest := time.Duration(0)
	for range 200 {
		next := s.Next(prev)
		if next.IsZero() {
			break
		}
		if gap := next.Sub(prev); shortest == 0 || gap < shortest {
			shortest = gap
		}
		prev = next
	}
	if shortest > 0 && shortest < minScheduleInterval {
		return fmt.Errorf("runs as often as every %s; leave at least %s between scans", shortest, short(minScheduleInterval))
	}
	return nil
}

// short writes whole minutes as "1m" rather than "1m0s".
func short(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// maxJitter caps the random delay before a scheduled scan.
const maxJitter = 30 * time.Second

// interval is the time between two runs of s around now (for a cron expression
// it varies; the next gap is a fair estimate).
func interval(s cron.Schedule, now time.Time) time.Duration {
	if c, ok := s.(cron.ConstantDelaySchedule); ok {
		return c.Delay
	}
	n1 := s.Next(now)
	return s.Next(n1).Sub(n1)
}

// jitterFor is the largest random delay for a schedule: 10% of its interval, at
// most 30 s. Targets on the same schedule then do not all start in the same second
// (and hit a shared load balancer, or the browser, together).
func jitterFor(s cron.Schedule, now time.Time) time.Duration {
	return min(interval(s, now)/10, maxJitter)
}

// randomJitter picks a delay in [0, max).
func randomJitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return rand.N(max)
}
