package report

import (
	"strings"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// DefaultWidth is the table's width when it does not go to a terminal of known
// size: pipes, files and golden files.
const DefaultWidth = 80

// minColumn is the narrowest a column is squeezed to (unless its widest value is
// narrower): enough for a word or two per line.
const minColumn = 10

// fitColumns picks each column's width so that a bordered table ("| a | b |":
// three characters per column and one more) is at most width wide. Columns that
// fit keep their natural width; the others share what is left. A header is never
// cut inside a word.
func fitColumns(header []string, rows [][]string, width int) []int {
	n := len(header)
	natural, least := make([]int, n), make([]int, n)
	for i, h := range header {
		natural[i] = widest(h)
		least[i] = longestWord(h)
	}
	for _, row := range rows {
		for i, c := range row {
			if i < n {
				natural[i] = max(natural[i], widest(c))
			}
		}
	}
	for i := range least {
		least[i] = max(least[i], min(natural[i], minColumn))
	}
	budget := width - (3*n + 1)
	if total0(natural) <= budget {
		return natural
	}
	if sum := total0(least); sum > budget && sum > 0 {
		// Too narrow even for whole header words: everything shrinks, and
		// headers wrap inside words rather than push the table wider.
		for i := range least {
			least[i] = max(1, least[i]*budget/sum)
		}
	}
	out := append([]int(nil), least...)
	left := budget
	for _, w := range out {
		left -= w
	}
	// Water-filling: share what is left equally among the columns that still
	// want more, capping each at its natural width, until nothing is left.
	for left > 0 {
		var want []int
		for i := range out {
			if out[i] < natural[i] {
				want = append(want, i)
			}
		}
		if len(want) == 0 {
			break
		}
		share := max(left/len(want), 1)
		for _, i := range want {
			give := min(share, natural[i]-out[i], left)
			out[i] += give
			left -= give
			if left == 0 {
				break
			}
		}
	}
	return out
}

// widest is the display width of the widest line of s.
func widest(s string) int {
	w := 0
	for _, line := range strings.Split(s, "\n") {
		w = max(w, twwidth.Width(line))
	}
	return w
}

func longestWord(s string) int {
	w := 0
	for _, word := range strings.Fields(s) {
		w = max(w, twwidth.Width(word))
	}
	return w
}

// wrap breaks s into lines of at most width display columns: at spaces where it
// can, inside a word (a URL, a long cookie name) where it must. Its own line
// breaks stay.
func wrap(s string, width int) []string {
	if width < 1 {
		width = 1
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line, lineW := "", 0
		flush := func() {
			out = append(out, line)
			line, lineW = "", 0
		}
		words := strings.Fields(para)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		for _, word := range words {
			ww := twwidth.Width(word)
			switch {
			case lineW > 0 && lineW+1+ww <= width:
				line += " " + word
				lineW += 1 + ww
				continue
			case lineW > 0:
				flush()
			}
			for ww > width {
				head, rest := cutWidth(word, width)
				out = append(out, head)
				word, ww = rest, twwidth.Width(rest)
			}
			line, lineW = word, ww
		}
		flush()
	}
	return out
}

// cutWidth splits s after at most width display columns (at least one rune).
func cutWidth(s string, width int) (string, string) {
	w := 0
	for i, r := range s {
		rw := twwidth.Width(string(r))
		if w+rw > width && i > 0 {
			return s[:i], s[i:]
		}
		w += rw
	}
	return s, ""
}

// wrapCell is wrap joined back into one multi-line cell.
func wrapCell(s string, width int) string { return strings.Join(wrap(s, width), "\n") }

// para wraps prose to width: the first line starts with first, the next lines
// with hang (both count towards the width).
func para(s string, width int, first, hang string) []string {
	inner := width - max(twwidth.Width(first), twwidth.Width(hang))
	lines := wrap(s, inner)
	for i := range lines {
		if i == 0 {
			lines[i] = first + lines[i]
		} else {
			lines[i] = hang + lines[i]
		}
	}
	return lines
}

func total0(ws []int) int {
	n := 0
	for _, w := range ws {
		n += w
	}
	return n
}
