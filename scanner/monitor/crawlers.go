package monitor

import (
	"context"
	"log/slog"
	"sync"

	"github.com/cookiescan/cookiescan/scanner/observe"
	"github.com/cookiescan/cookiescan/scanner/spec"
)

// Crawler is a browser the monitor keeps between scans.
type Crawler interface {
	observe.Crawler
	Close() error
}

// BrowserConfig is what distinguishes one browser from another: targets that
// agree on it share browsers.
type BrowserConfig = spec.Browser

// CrawlerFactory starts a browser. ctx lives as long as the monitor, not one scan.
type CrawlerFactory func(ctx context.Context, b BrowserConfig) (Crawler, error)

// crawlerPool keeps started browsers for reuse, at most one per concurrent scan:
// starting Chromium costs a second or two and a lot of memory, a scan every few
// hours should not pay it each time. A browser is used by one scan at a time,
// since a crawl drives its tabs and cookie store.
type crawlerPool struct {
	factory CrawlerFactory
	max     int
	log     *slog.Logger

	mu     sync.Mutex
	idle   []pooled
	closed bool
}

type pooled struct {
	key string
	c   Crawler
}

func newCrawlerPool(f CrawlerFactory, max int, log *slog.Logger) *crawlerPool {
	return &crawlerPool{factory: f, max: max, log: log}
}

func (p *crawlerPool) enabled() bool { return p.factory != nil }

// get takes an idle browser with the same configuration or starts one.
func (p *crawlerPool) get(ctx context.Context, b BrowserConfig) (Crawler, string, error) {
	key := b.Key()
	p.mu.Lock()
	for i, it := range p.idle {
		if it.key == key {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			p.mu.Unlock()
			return it.c, key, nil
		}
	}
	p.mu.Unlock()
	c, err := p.factory(ctx, b)
	if err != nil {
		return nil, key, err
	}
	p.log.Info("browser started")
	return c, key, nil
}

// put returns a browser after a scan; a broken one (the scan failed with
// scanner.ErrBrowser) is closed so the next scan starts a fresh one.
func (p *crawlerPool) put(key string, c Crawler, broken bool) {
	p.mu.Lock()
	if broken || p.closed {
		p.mu.Unlock()
		if broken {
			p.log.Warn("browser failed during a scan; restarting it for the next scan")
		}
		_ = c.Close()
		return
	}
	p.idle = append(p.idle, pooled{key, c})
	var evict []Crawler
	for len(p.idle) > p.max {
		evict = append(evict, p.idle[0].c)
		p.idle = p.idle[1:]
	}
	p.mu.Unlock()
	for _, e := range evict {
		_ = e.Close()
	}
}

func (p *crawlerPool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, it := range idle {
		_ = it.c.Close()
	}
}
