package browser

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cookiescan/cookiescan/scanner/hsts"
)

// hstsSeed is the policy each case starts from: an invalid header must leave
// it as it is (Chromium ignores the header), max-age=0 must remove it, a
// valid header must replace it. Its max-age and includeSubDomains differ
// from every valid case, so the three outcomes cannot be confused.
const hstsSeed = "max-age=12345"

// chromiumHSTS is what Chromium holds for a host after a response:
// net-internals' answer to a domain query.
type chromiumHSTS struct {
	Found  bool
	MaxAge int64 // expiry − observed, in whole seconds
	ISD    bool
}

// TestChromiumAppliesHSTS is the HSTS oracle: every line of
// scanner/hsts/testdata/chromium-corpus.txt is served byte for byte from
// the fixture site (profile hsts-echo) to a real Chromium, and the policy
// Chromium then holds for the host (chrome://net-internals' HSTS query:
// present or not, expiry − observed, includeSubDomains) must be the one
// hsts.Parse says it applies: Header.Policy() for a valid header, no change
// for an invalid one, no policy for max-age=0. Chromium only takes HSTS from
// a connection without certificate errors and from a host name, so this
// browser trusts the fixture's leaf key (--ignore-certificate-errors-spki-list)
// and reaches it as cookiescan.test.
func TestChromiumAppliesHSTS(t *testing.T) {
	if skipReason != "" {
		t.Skip(skipReason)
	}
	corpus := readHSTSCorpus(t)
	useProfile(t, "hsts-echo")
	u, _ := url.Parse(site.HTTPSURL)
	conn, err := tls.Dial("tcp", u.Host, &tls.Config{ServerName: "cookiescan.test", InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	leaf := conn.ConnectionState().PeerCertificates[0]
	conn.Close()
	spki := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	path, err := findExec("")
	if err != nil {
		t.Skip(err)
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("host-resolver-rules", testRules),
		chromedp.Flag("ignore-certificate-errors-spki-list", base64.StdEncoding.EncodeToString(spki[:])))...)
	defer acancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute) // catches a hang only
	defer cancelT()

	origin := "https://cookiescan.test:" + u.Port()
	if err := chromedp.Do(ctx, chromedp.Navigate(origin+"/")); err != nil {
		t.Fatal(err)
	}
	internals, cancelN := chromedp.NewContext(ctx)
	defer cancelN()
	if err := chromedp.Do(internals, chromedp.Navigate("chrome://net-internals/#hsts")); err != nil {
		t.Fatal(err)
	}
	cr := `const cr = await import('chrome://resources/js/cr.js');`
	query := func() chromiumHSTS {
		t.Helper()
		raw, err := chromedp.Run(internals, chromedp.Evaluate[string](`(async () => { `+cr+
			` return JSON.stringify(await cr.sendWithPromise('hstsQuery', 'cookiescan.test')) })()`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("net-internals query: %v", err)
		}
		var r struct {
			Result   bool    `json:"result"`
			Mode     *int    `json:"dynamic_upgrade_mode"`
			ISD      bool    `json:"dynamic_sts_include_subdomains"`
			Observed float64 `json:"dynamic_sts_observed"`
			Expiry   float64 `json:"dynamic_sts_expiry"`
		}
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			t.Fatalf("net-internals answer %q: %v", raw, err)
		}
		// Mode 0 is FORCE_HTTPS; a dynamic entry needs its domain.
		if !r.Result || r.Mode == nil || *r.Mode != 0 {
			return chromiumHSTS{}
		}
		return chromiumHSTS{Found: true, MaxAge: int64(math.Round(r.Expiry - r.Observed)), ISD: r.ISD}
	}
	del := func() {
		t.Helper()
		if _, err := chromedp.Run(internals, chromedp.Evaluate[bool](`(async () => { `+cr+
			` chrome.send('domainSecurityPolicyDelete', ['cookiescan.test']); return true })()`, chromedp.EvalAwaitPromise)); err != nil {
			t.Fatalf("net-internals delete: %v", err)
		}
	}
	serve := func(fields []string) {
		t.Helper()
		q := url.Values{"v": fields}
		js, _ := json.Marshal("/hsts?" + q.Encode())
		// A response Chromium refuses (a NUL) rejects the fetch; that is an
		// answer too: the header was not applied.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`fetch(`+string(js)+`, {cache: 'no-store'}).then(() => true, () => false)`, chromedp.EvalAwaitPromise)); err != nil {
			t.Fatalf("fetch: %v", err)
		}
	}
	seed := chromiumHSTS{Found: true, MaxAge: 12345}

	del()
	serve([]string{hstsSeed})
	if got := query(); got != seed {
		t.Fatalf("the seed %q left %+v, want %+v: the oracle itself does not work", hstsSeed, got, seed)
	}
	for _, fields := range corpus {
		del()
		if got := query(); got.Found {
			t.Fatalf("net-internals did not delete the policy: %+v", got)
		}
		serve([]string{hstsSeed})
		serve(fields)
		got := query()
		f := hsts.ParseFields(fields)
		want := seed // invalid: ignored
		if h := f.First(); h.Valid {
			p := h.Policy()
			want = chromiumHSTS{Found: *p.MaxAge > 0, ISD: p.IncludeSubDomains}
			if want.Found {
				want.MaxAge = int64(*p.MaxAge)
			} else {
				want.ISD = false // max-age=0: the entry is gone
			}
		}
		if got != want {
			t.Errorf("%q: Chromium holds %+v, cookiescan says %+v (valid=%v problem=%q)", fields, got, want, f.First().Valid, f.First().Problem)
		}
	}
	t.Logf("HSTS oracle: %d cases served to Chromium, each compared with hsts.Parse", len(corpus))
}

// readHSTSCorpus reads the shared corpus: one response per line, its fields
// Go-quoted and separated by spaces; '#' starts a comment line.
func readHSTSCorpus(t *testing.T) [][]string {
	t.Helper()
	f, err := os.Open("../scanner/hsts/testdata/chromium-corpus.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var fields []string
		for line != "" {
			q, err := strconv.QuotedPrefix(line)
			if err != nil {
				t.Fatalf("corpus line %d: %v", n, err)
			}
			v, _ := strconv.Unquote(q)
			fields = append(fields, v)
			line = strings.TrimSpace(line[len(q):])
		}
		out = append(out, fields)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal(fmt.Errorf("empty corpus"))
	}
	return out
}
