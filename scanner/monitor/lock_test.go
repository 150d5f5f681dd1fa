package monitor_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/cookiescan/cookiescan/scanner/monitor"
	"github.com/cookiescan/cookiescan/scanner/monitor/store"
)

// Two monitors on one SQLite store would scan every target twice: the second
// refuses to start and names the first (its pid and host). (Monitors on one
// PostgreSQL store share the work instead: fleet_test.go.)
func TestSecondMonitorOnOneStoreIsRefused(t *testing.T) {
	site := startSite(t, "hardened")
	for _, c := range []struct{ name, store string }{{"sqlite", "history.db"}} {
		t.Run(c.name, func(t *testing.T) {
			name := c.store
			cfg := writeConfig(t, fmt.Sprintf("store: %q\nlisten: \"off\"\ntargets:\n%s", name, siteTarget(site, "@every 1h", "")))
			first, err := monitor.New(context.Background(), cfg, monitor.Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = monitor.New(context.Background(), cfg, monitor.Options{})
			host, _ := os.Hostname()
			if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) ||
				!strings.Contains(err.Error(), host) {
				t.Fatalf("second monitor: %v", err)
			}
			t.Logf("refused: %v", err)
			first.Close()
			second, err := monitor.New(context.Background(), cfg, monitor.Options{})
			if err != nil {
				t.Fatalf("after the first stopped: %v", err)
			}
			second.Close()
		})
	}
}
