// Package html renders scan reports as one self-contained HTML page: inline CSS and
// a little inline JavaScript, no external request of any kind, readable on a phone,
// in dark mode and on paper.
//
// Everything a report shows about a site (cookie names and values, header text,
// URLs, details, evidence) comes from that site and is hostile. It reaches the page
// only through html/template's contextual escaping, as text: never as template.HTML,
// never as an href, never inside the script. The page's Content-Security-Policy
// allows exactly the style and script it carries (by hash), so even a markup
// injection that slipped through could neither run nor load anything.
//
// The package imports the standard library and scanner/result (with its
// vocabulary) only, so package report can import it.
package html

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"

	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/result/vocab"
)

//go:embed report.tmpl report.css report.js
var files embed.FS

var (
	// The grade colours are every report's (vocab), appended to our stylesheet.
	css, js = mustRead("report.css") + vocab.GradeCSS(".grade-") + "\n", mustRead("report.js")
	// csp is computed from the exact bytes the page embeds, so editing the CSS or
	// the script can never leave a stale hash that silently disables it.
	csp  = "default-src 'none'; style-src " + hashSource(css) + "; script-src " + hashSource(js) + "; img-src data:; base-uri 'none'; form-action 'none'"
	tmpl = template.Must(template.New("report.tmpl").Funcs(funcs).ParseFS(files, "report.tmpl"))
)

func mustRead(name string) string {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// hashSource is a CSP source expression that allows one inline element whose
// text is exactly s.
func hashSource(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// Writer renders reports as one HTML page, a section per target.
type Writer struct{}

// Write renders reps to w. The output depends on reps only (no clock, no map
// order), so the same report always gives the same bytes.
func (Writer) Write(w io.Writer, reps []result.Report) error {
	doc := document{
		CSP: csp,
		// Our own embedded assets, not site data: the only typed (unescaped)
		// values in the package.
		CSS: template.CSS(css),
		JS:  template.JS(js),
	}
	for i, r := range reps {
		doc.Reports = append(doc.Reports, newReportView(i, r.Normalized()))
	}
	switch len(reps) {
	case 0:
		doc.Title = "cookiescan report"
	case 1:
		doc.Title = "cookiescan report: " + doc.Reports[0].Target
	default:
		doc.Title = fmt.Sprintf("cookiescan report: %d targets", len(reps))
	}
	// Render fully before writing, so a template error leaves no half page.
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, doc); err != nil {
		return fmt.Errorf("render html report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// document is what the template sees.
type document struct {
	Title   string
	CSP     string
	CSS     template.CSS
	JS      template.JS
	Reports []reportView
}

var funcs = template.FuncMap{
	"mark": func(b bool) string {
		if b {
			return "✓"
		}
		return "✗"
	},
	"okClass": func(b bool) string {
		if b {
			return "ok"
		}
		return "bad"
	},
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, one)
		}
		return fmt.Sprintf("%d %s", n, many)
	},
}
