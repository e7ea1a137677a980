package telegramtest

import (
	"strings"
	"unicode/utf8"
)

// mdMarkers are MarkdownV2's paired markers and the entities they make.
var mdMarkers = map[string]struct{ typ, name string }{
	"*":   {"bold", "Bold"},
	"_":   {"italic", "Italic"},
	"__":  {"underline", "Underline"},
	"~":   {"strikethrough", "Strikethrough"},
	"||":  {"spoiler", "Spoiler"},
	"`":   {"code", "Code"},
	"```": {"pre", "Pre"},
	"[":   {"text_link", "TextUrl"},
	"![":  {"custom_emoji", "CustomEmoji"},
}

// mdReserved must be escaped with '\' wherever they are not markup; an
// unescaped '.' or '-' is the classic MarkdownV2 bug, so it is worth catching.
const mdReserved = "_*[]()~`>#+-=|{}.!"

type mdOpen struct {
	marker string
	start  int // UTF-16 offset in the output
	byteAt int
	lang   string
}

type mdParser struct {
	src   string
	out   strings.Builder
	n16   int
	stack []mdOpen
	ents  []entity
	// quote is the open blockquote: its start, or -1.
	quote      int
	expandable bool
}

func parseMarkdownV2(src string) (string, []entity, error) {
	p := &mdParser{src: src, quote: -1}
	for i := 0; i < len(src); {
		var err error
		if i == 0 || src[i-1] == '\n' {
			i = p.lineStart(i)
			if i >= len(src) {
				break
			}
		}
		i, err = p.step(i)
		if err != nil {
			return "", nil, err
		}
	}
	if len(p.stack) > 0 {
		top := p.stack[len(p.stack)-1]
		return "", nil, entityErrorf("Can't find end of %s entity at byte offset %d", mdMarkers[top.marker].name, top.byteAt)
	}
	p.closeQuote()
	return p.out.String(), p.ents, nil
}

func (p *mdParser) emit(r rune) {
	p.out.WriteRune(r)
	p.n16 += utf16Len(string(r))
}

func (p *mdParser) top() string {
	if len(p.stack) == 0 {
		return ""
	}
	return p.stack[len(p.stack)-1].marker
}

// lineStart opens or closes a blockquote: lines starting with '>' (or
// "**>" for an expandable one) are quoted.
func (p *mdParser) lineStart(i int) int {
	if len(p.stack) > 0 && (p.top() == "```" || p.top() == "`") {
		return i
	}
	switch {
	case strings.HasPrefix(p.src[i:], "**>"):
		p.closeQuote()
		p.quote, p.expandable = p.n16, true
		return i + 3
	case strings.HasPrefix(p.src[i:], ">"):
		if p.quote < 0 {
			p.quote, p.expandable = p.n16, false
		}
		return i + 1
	}
	p.closeQuote()
	return i
}

func (p *mdParser) closeQuote() {
	if p.quote < 0 {
		return
	}
	end := p.n16
	if strings.HasSuffix(p.out.String(), "\n") {
		end--
	}
	typ := "blockquote"
	if p.expandable {
		typ = "expandable_blockquote"
	}
	if end > p.quote {
		p.ents = append(p.ents, entity{Type: typ, Offset: p.quote, Length: end - p.quote})
	}
	p.quote = -1
}

func (p *mdParser) step(i int) (int, error) {
	src := p.src
	c := src[i]
	if c == '\\' && i+1 < len(src) && src[i+1] >= 1 && src[i+1] <= 126 {
		p.emit(rune(src[i+1]))
		return i + 2, nil
	}
	// Inside code only the closing backticks are markup.
	if t := p.top(); t == "`" || t == "```" {
		if strings.HasPrefix(src[i:], t) {
			return p.close(i, t)
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		p.emit(r)
		return i + size, nil
	}
	switch {
	case strings.HasPrefix(src[i:], "```"):
		return p.openPre(i)
	case strings.HasPrefix(src[i:], "||"):
		if p.quote >= 0 && p.expandable && p.top() != "||" && (i+2 == len(src) || src[i+2] == '\n') {
			return i + 2, nil // the expandability mark ending an expandable quote
		}
		return p.toggle(i, "||")
	case strings.HasPrefix(src[i:], "__"):
		return p.toggle(i, "__")
	case strings.HasPrefix(src[i:], "!["):
		p.stack = append(p.stack, mdOpen{marker: "![", start: p.n16, byteAt: i})
		return i + 2, nil
	}
	switch c {
	case '*', '_', '~', '`':
		return p.toggle(i, string(c))
	case '[':
		p.stack = append(p.stack, mdOpen{marker: "[", start: p.n16, byteAt: i})
		return i + 1, nil
	case ']':
		if t := p.top(); t == "[" || t == "![" {
			return p.closeLink(i)
		}
	}
	if strings.IndexByte(mdReserved, c) >= 0 {
		return 0, entityErrorf("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
	}
	r, size := utf8.DecodeRuneInString(src[i:])
	p.emit(r)
	return i + size, nil
}

func (p *mdParser) toggle(i int, marker string) (int, error) {
	if p.top() == marker {
		return p.close(i, marker)
	}
	for _, o := range p.stack {
		if o.marker == marker {
			return 0, entityErrorf("Can't find end of %s entity at byte offset %d", mdMarkers[marker].name, o.byteAt)
		}
	}
	p.stack = append(p.stack, mdOpen{marker: marker, start: p.n16, byteAt: i})
	return i + len(marker), nil
}

func (p *mdParser) openPre(i int) (int, error) {
	j := i + 3
	nl := strings.IndexByte(p.src[j:], '\n')
	lang := ""
	if nl >= 0 && !strings.ContainsAny(p.src[j:j+nl], " `") {
		lang = p.src[j : j+nl]
		j += nl + 1
	}
	p.stack = append(p.stack, mdOpen{marker: "```", start: p.n16, byteAt: i, lang: lang})
	return j, nil
}

func (p *mdParser) close(i int, marker string) (int, error) {
	o := p.stack[len(p.stack)-1]
	p.stack = p.stack[:len(p.stack)-1]
	if p.n16 > o.start {
		p.ents = append(p.ents, entity{Type: mdMarkers[marker].typ, Offset: o.start, Length: p.n16 - o.start, Language: o.lang})
	}
	return i + len(marker), nil
}

// closeLink ends "[text](url)" or "![emoji](tg://emoji?id=...)"; inside
// the parentheses only ')' and '\' need escaping.
func (p *mdParser) closeLink(i int) (int, error) {
	o := p.stack[len(p.stack)-1]
	name := mdMarkers[o.marker].name
	if i+1 >= len(p.src) || p.src[i+1] != '(' {
		return 0, entityErrorf("Can't find end of %s entity at byte offset %d", name, o.byteAt)
	}
	var url strings.Builder
	j := i + 2
	for ; j < len(p.src) && p.src[j] != ')'; j++ {
		if p.src[j] == '\\' && j+1 < len(p.src) {
			j++
		}
		url.WriteByte(p.src[j])
	}
	if j >= len(p.src) {
		return 0, entityErrorf("Can't find end of %s entity at byte offset %d", name, o.byteAt)
	}
	p.stack = p.stack[:len(p.stack)-1]
	e := entity{Type: mdMarkers[o.marker].typ, Offset: o.start, Length: p.n16 - o.start}
	if o.marker == "![" {
		e.CustomEmojiID = strings.TrimPrefix(url.String(), "tg://emoji?id=")
	} else {
		e.URL = url.String()
		if strings.HasPrefix(e.URL, "tg://user?id=") {
			e.Type = "text_mention"
		}
	}
	if e.Length > 0 {
		p.ents = append(p.ents, e)
	}
	return j + 1, nil
}

// parseMarkdown is the legacy Markdown mode: *bold*, _italic_, `code`,
// ```pre``` and [text](url), not nested, '\' escaping the markers.
func parseMarkdown(src string) (string, []entity, error) {
	var out strings.Builder
	var ents []entity
	n16 := 0
	write := func(s string) {
		out.WriteString(s)
		n16 += utf16Len(s)
	}
	for i := 0; i < len(src); {
		c := src[i]
		if c == '\\' && i+1 < len(src) && strings.IndexByte("_*`[", src[i+1]) >= 0 {
			write(src[i+1 : i+2])
			i += 2
			continue
		}
		marker, typ := "", ""
		switch {
		case strings.HasPrefix(src[i:], "```"):
			marker, typ = "```", "pre"
		case c == '*':
			marker, typ = "*", "bold"
		case c == '_':
			marker, typ = "_", "italic"
		case c == '`':
			marker, typ = "`", "code"
		case c == '[':
			end := strings.Index(src[i:], "](")
			closeParen := -1
			if end >= 0 {
				closeParen = strings.IndexByte(src[i+end:], ')')
			}
			if end < 0 || closeParen < 0 {
				return "", nil, entityErrorf("Can't find end of the entity starting at byte offset %d", i)
			}
			start := n16
			write(src[i+1 : i+end])
			ents = append(ents, entity{Type: "text_link", Offset: start, Length: n16 - start, URL: src[i+end+2 : i+end+closeParen]})
			i += end + closeParen + 1
			continue
		}
		if marker == "" {
			r, size := utf8.DecodeRuneInString(src[i:])
			write(string(r))
			i += size
			continue
		}
		end := strings.Index(src[i+len(marker):], marker)
		if end < 0 {
			return "", nil, entityErrorf("Can't find end of the entity starting at byte offset %d", i)
		}
		start := n16
		write(src[i+len(marker) : i+len(marker)+end])
		if n16 > start {
			ents = append(ents, entity{Type: typ, Offset: start, Length: n16 - start})
		}
		i += 2*len(marker) + end
	}
	return out.String(), ents, nil
}
