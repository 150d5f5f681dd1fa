# cookiescan — the two set-up commands are `make demo` and `make test`.
GO        ?= go
BIN       := bin/cookiescan
DEMO_DIR  := .demo
PROFILE   ?= insecure
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: build demo test lint bench chromium postgresql fuzz soak clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/cookiescan

# Chromium comes from Debian's package; the project never downloads a browser itself.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { echo "installing Chromium (apt-get install -y chromium)"; \
	    $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# PostgreSQL's server binaries from Debian's package: the monitor's store tests
# start a throwaway cluster of their own (initdb in a temporary directory).
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || \
	  { echo "installing PostgreSQL (apt-get install -y postgresql)"; \
	    $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

# demo: build, serve the demo site's $(PROFILE) profile on loopback, scan it, print
# the table and write the reports into $(DEMO_DIR)/.
demo: build chromium
	@mkdir -p $(DEMO_DIR); rm -f $(DEMO_DIR)/serve.log
	@$(BIN) fixture serve --profile $(PROFILE) --dir $(DEMO_DIR) > $(DEMO_DIR)/serve.log 2>&1 & echo $$! > $(DEMO_DIR)/serve.pid
	@for i in $$(seq 1 50); do grep -q '^https:' $(DEMO_DIR)/serve.log 2>/dev/null && break; sleep 0.1; done
	@cat $(DEMO_DIR)/serve.log | sed -n '1,4p'; echo
	@http=$$(awk '/^http:/{print $$2}' $(DEMO_DIR)/serve.log); https=$$(awk '/^https:/{print $$2}' $(DEMO_DIR)/serve.log); \
	  $(BIN) scan "$$https" --http-url "$$http" --ca-cert $(DEMO_DIR)/ca.pem --fail-on none \
	    --format table -o $(DEMO_DIR)/scan.json -o $(DEMO_DIR)/report.html; status=$$?; \
	  kill $$(cat $(DEMO_DIR)/serve.pid) 2>/dev/null; exit $$status
	@echo; echo "reports: $(DEMO_DIR)/scan.json $(DEMO_DIR)/report.html (open it in a browser)"

# test runs every unit, fixture and browser test; the fuzz targets' seed corpora run too.
test: chromium postgresql
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 15m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); [ -z "$$out" ] || { echo "gofmt needed:"; echo "$$out"; exit 1; }
	$(GO) vet ./...

# bench: the redirect probe against curl, the 50-page crawl against a bare chromedp
# loop (concurrency 1 and 4), the HTML report's render time, and the memory of a
# scan of a site that sets 60,000 cookies (B/op, peak-heap-MB, json-bytes), and
# scan -l over 6 sites one at a time against --parallel 3 (ratio).
# Ratios are measured within one run; see each benchmark's comment.
bench: chromium
	$(GO) test -run '^$$' -bench ProbeVsCurl -benchtime 50x ./scanner/probe/
	$(GO) test -run '^$$' -bench Crawl50 -benchtime 2x ./browser/
	$(GO) test -run '^$$' -bench Render200 ./report/html/
	$(GO) test -run '^$$' -bench ManyCookies -benchtime 5x ./cmd/cookiescan/
	$(GO) test -run '^$$' -bench ListParallel -benchtime 1x ./cmd/cookiescan/

# soak: the monitor fleet on one PostgreSQL: 3 replica processes, 200
# --no-browser targets every 20 s, one replica SIGKILLed and restarted; then the
# fleet's throughput with 1, 2 and 3 replicas. About 6 minutes.
soak: postgresql
	COOKIESCAN_SOAK=1 $(GO) test -count=1 -timeout 20m -v -run 'TestFleetSoak|TestFleetScale' ./scanner/monitor/

# fuzz runs each parser's fuzz target for FUZZTIME (the acceptance run: FUZZTIME=10m),
# one after another on one worker; seed corpora are in testdata/fuzz/ and the f.Add calls.
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) -parallel 1 ./scanner/hsts/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) -parallel 1 ./scanner/setcookie/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) -parallel 1 ./scanner/loginflow/
	$(GO) test -run '^$$' -fuzz FuzzParseConfig -fuzztime $(FUZZTIME) -parallel 1 ./scanner/monitor/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) -parallel 1 ./scanner/ignore/

clean:
	rm -rf bin $(DEMO_DIR)
