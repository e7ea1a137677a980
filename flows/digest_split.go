package flows

import (
	"strings"
	"unicode/utf8"

	"dinsosbot/store"
)

// maxMessage is how long one message the flows send may be, in characters:
// below Telegram's 4096, with room for what HTML entities count.
const maxMessage = 4000

// splitLines joins lines into messages of at most limit characters, breaking
// only between lines; a single line longer than limit is cut at limit.
func splitLines(lines []string, limit int) []string {
	var out []string
	var cur strings.Builder
	n := 0
	flush := func() {
		if part := strings.Trim(cur.String(), "\n"); part != "" {
			out = append(out, part)
		}
		cur.Reset()
		n = 0
	}
	for _, line := range lines {
		for utf8.RuneCountInString(line) > limit {
			flush()
			r := []rune(line)
			out = append(out, string(r[:limit]))
			line = string(r[limit:])
		}
		l := utf8.RuneCountInString(line)
		if n > 0 && n+1+l > limit {
			flush()
		}
		if n > 0 {
			cur.WriteByte('\n')
			n++
		}
		cur.WriteString(line)
		n += l
	}
	flush()
	return out
}

// enqueueLong sends lines as msg's text, in as many messages as it takes.
func (a *App) enqueueLong(tx *store.Tx, msg store.Message, lines []string) error {
	for _, part := range splitLines(lines, maxMessage) {
		msg.Text = part
		if _, err := tx.Enqueue(msg); err != nil {
			return err
		}
	}
	return nil
}
