package monitor

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/result/vocab"
)

// TestStatusGradeColours: a plus or minus grade takes its letter's colour, the
// same as in the HTML report, instead of the red once given to every grade the
// status page did not list.
func TestStatusGradeColours(t *testing.T) {
	grades := []string{"A+", "A", "A-", "B+", "B", "B-", "C+", "C-", "D+", "D-", "F", ""}
	var trend []trendPoint
	for i, g := range grades {
		trend = append(trend, trendPoint{ID: int64(i + 1), Grade: g, OK: true, Class: gradeClass(g), Time: time.Unix(0, 0)})
	}
	var buf bytes.Buffer
	err := statusTmpl.Execute(&buf, statusData{Targets: []statusTarget{{URL: "https://shop.example/", Trend: trend}}})
	if err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if !strings.Contains(page, vocab.GradeCSS(".grade-")) {
		t.Errorf("the status page does not carry the report's grade colours %q", vocab.GradeCSS(".grade-"))
	}
	for _, g := range grades {
		band := vocab.GradeBand(g)
		if g != "" && band != strings.ToLower(g[:1]) {
			t.Errorf("grade %q is in band %q", g, band)
		}
		want := `<span class="grade grade-` + band + `">` + strings.ReplaceAll(g, "+", "&#43;") + `</span>` // html/template escapes +
		if !strings.Contains(page, want) {
			t.Errorf("grade %q: no %s in the page", g, want)
		}
	}
}
