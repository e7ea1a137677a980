package xlsform

import (
	"html"
	"regexp"
	"strings"
)

// HTML renders a label, hint or note as Telegram's HTML: ODK's markdown
// (**strong**, __strong__, *emphasis*, _emphasis_, # headings, [text](url))
// becomes <b>, <i> and <a>; the HTML tags ODK also accepts (<span style>,
// <br>, ...) are dropped, keeping their text. Everything else is escaped.
// Markup that would not nest is shown as plain text instead, so a prompt
// never fails to send.
func HTML(s string) string {
	out := markup(s, true)
	if !nested(out) {
		return html.EscapeString(Plain(s))
	}
	return out
}

// Plain is s without its markup, for buttons, summaries and cards.
func Plain(s string) string {
	return markup(s, false)
}

var (
	htmlTag   = regexp.MustCompile(`(?i)</?(span|font|b|i|u|em|strong|p|div|center|small|big)(\s[^<>]*)?>`)
	htmlBreak = regexp.MustCompile(`(?i)<br\s*/?>`)
	mdLink    = regexp.MustCompile(`\[([^\]\n]+)\]\((https?://[^)\s]+)\)`)
	mdStrong  = regexp.MustCompile(`\*\*([^*\n]+?)\*\*|__([^_\n]+?)__`)
	// Emphasis needs a boundary on each side, so snake_case names and
	// 2*3 stay as written.
	mdEm      = regexp.MustCompile(`(^|[\s(>])(?:\*([^*\s](?:[^*\n]*[^*\s])?)\*|_([^_\s](?:[^_\n]*[^_\s])?)_)($|[\s.,;:!?)<])`)
	mdHeading = regexp.MustCompile(`(?m)^#{1,6}[ \t]+(.+?)[ \t#]*$`)
)

// markup applies the rules of HTML, with tags when withTags, else text only.
func markup(s string, withTags bool) string {
	if !strings.ContainsAny(s, "*_#[<") {
		if withTags {
			return html.EscapeString(s)
		}
		return s
	}
	s = htmlBreak.ReplaceAllString(s, "\n")
	s = htmlTag.ReplaceAllString(s, "")
	if withTags {
		s = html.EscapeString(s)
	}
	wrap := func(tag, text string) string {
		if !withTags {
			return text
		}
		return "<" + tag + ">" + text + "</" + tag + ">"
	}
	s = mdLink.ReplaceAllStringFunc(s, func(m string) string {
		p := mdLink.FindStringSubmatch(m)
		if !withTags {
			return p[1] + " (" + p[2] + ")"
		}
		return `<a href="` + p[2] + `">` + p[1] + "</a>"
	})
	s = mdStrong.ReplaceAllStringFunc(s, func(m string) string {
		p := mdStrong.FindStringSubmatch(m)
		return wrap("b", p[1]+p[2])
	})
	// Twice: a match takes the boundary after it, which may open the next.
	for range 2 {
		s = mdEm.ReplaceAllStringFunc(s, func(m string) string {
			p := mdEm.FindStringSubmatch(m)
			return p[1] + wrap("i", p[2]+p[3]) + p[4]
		})
	}
	return mdHeading.ReplaceAllStringFunc(s, func(m string) string {
		return wrap("b", mdHeading.FindStringSubmatch(m)[1])
	})
}

// htmlOut finds the tags HTML writes.
var htmlOut = regexp.MustCompile(`<(/?)(b|i|a)\b[^>]*>`)

// nested tells whether the tags in s open and close in order.
func nested(s string) bool {
	var open []string
	for _, m := range htmlOut.FindAllStringSubmatch(s, -1) {
		if m[1] == "" {
			open = append(open, m[2])
			continue
		}
		if len(open) == 0 || open[len(open)-1] != m[2] {
			return false
		}
		open = open[:len(open)-1]
	}
	return len(open) == 0
}
