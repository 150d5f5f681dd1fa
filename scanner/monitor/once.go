package monitor

import (
	"context"
	"errors"
	"sync"
)

// OnceSummary is what RunOnce did.
type OnceSummary struct {
	Scans, Failed, AlertsSent, AlertsFailed int
	Failures                                []string
}

// RunOnce scans every target once (concurrency at a time), delivers the alerts,
// applies retention and returns. It is the --once mode for cron and Kubernetes
// CronJobs: state carries over between runs through the store.
func (m *Monitor) RunOnce(ctx context.Context) (OnceSummary, error) {
	defer m.Close()
	var sum OnceSummary
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	for _, t := range m.cfg.Targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := m.Scan(ctx, t)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				if firstErr == nil && !errors.Is(err, errShutdown) {
					firstErr = err
				}
			case res.Err != nil:
				sum.Scans++
				sum.Failed++
				sum.Failures = append(sum.Failures, t.URL.String()+": "+res.Err.Error())
			default:
				sum.Scans++
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return sum, err
	}
	sum.AlertsSent, sum.AlertsFailed = m.Deliver(ctx)
	m.prune(ctx)
	return sum, firstErr
}
