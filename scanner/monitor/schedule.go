package monitor

import (
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
