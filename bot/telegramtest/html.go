package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// entity is a MessageEntity. Offsets and lengths count UTF-16 code units, as
// Telegram's do.
type entity struct {
	Type          string `json:"type"`
	Offset        int    `json:"offset"`
	Length        int    `json:"length"`
	URL           string `json:"url,omitempty"`
	Language      string `json:"language,omitempty"`
	CustomEmojiID string `json:"custom_emoji_id,omitempty"`
}

// htmlTags maps the tags Telegram's HTML parse mode accepts to entity types.
var htmlTags = map[string]string{
	"b": "bold", "strong": "bold",
	"i": "italic", "em": "italic",
	"u": "underline", "ins": "underline",
	"s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
	"span": "spoiler", "tg-spoiler": "spoiler",
	"a":          "text_link",
	"code":       "code",
	"pre":        "pre",
	"blockquote": "blockquote",
	"tg-emoji":   "custom_emoji",
}

type openTag struct {
	name  string
	ent   entity
	start int // UTF-16 offset in the output
}

// htmlParser turns Telegram-flavoured HTML into plain text and entities,
// failing with the wording Telegram's parser (TDLib) uses.
type htmlParser struct {
	src   string
	out   strings.Builder
	n16   int // UTF-16 length of out
	stack []openTag
	ents  []entity
}

func parseHTML(src string) (string, []entity, error) {
	p := &htmlParser{src: src}
	for i := 0; i < len(src); {
		var err error
		switch src[i] {
		case '<':
			if i+1 < len(src) && src[i+1] == '/' {
				i, err = p.endTag(i)
			} else {
				i, err = p.startTag(i)
			}
		case '&':
			i = p.charRef(i)
		default:
			r, size := utf8.DecodeRuneInString(src[i:])
			p.emit(r)
			i += size
		}
		if err != nil {
			return "", nil, err
		}
	}
	if len(p.stack) > 0 {
		return "", nil, entityErrorf("Can't find end tag corresponding to start tag %q", p.stack[len(p.stack)-1].name)
	}
	return p.out.String(), p.ents, nil
}

// entityError is a parse failure worded as Telegram words it, capital letter
// included, so it reaches the client unchanged.
type entityError string

func (e entityError) Error() string { return string(e) }

func entityErrorf(format string, args ...any) error {
	return entityError(fmt.Sprintf(format, args...))
}

func (p *htmlParser) emit(r rune) {
	p.out.WriteRune(r)
	p.n16 += utf16.RuneLen(r)
}

func isNameByte(c byte) bool {
	return c == '-' || c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *htmlParser) readName(i int) (string, int) {
	j := i
	for j < len(p.src) && isNameByte(p.src[j]) {
		j++
	}
	return strings.ToLower(p.src[i:j]), j
}

func (p *htmlParser) skipSpaces(i int) int {
	for i < len(p.src) && isSpace(p.src[i]) {
		i++
	}
	return i
}

func (p *htmlParser) startTag(begin int) (int, error) {
	name, i := p.readName(begin + 1)
	typ, ok := htmlTags[name]
	if !ok || (i < len(p.src) && !isSpace(p.src[i]) && p.src[i] != '>') {
		return 0, entityErrorf("Unsupported start tag %q at byte offset %d", name, begin)
	}
	attrs := map[string]string{}
	for {
		i = p.skipSpaces(i)
		if i >= len(p.src) {
			return 0, entityErrorf("Unclosed start tag at byte offset %d", begin)
		}
		if p.src[i] == '>' {
			i++
			break
		}
		var attr string
		attr, i = p.readName(i)
		if attr == "" {
			return 0, entityErrorf("Empty attribute name in the tag %q at byte offset %d", name, i)
		}
		i = p.skipSpaces(i)
		if i < len(p.src) && p.src[i] != '=' {
			attrs[attr] = "" // a bare attribute, like <blockquote expandable>
			continue
		}
		value, next, err := p.attrValue(p.skipSpaces(i+1), begin)
		if err != nil {
			return 0, err
		}
		attrs[attr], i = value, next
	}
	ent := entity{Type: typ}
	switch name {
	case "a":
		ent.URL = attrs["href"]
		if strings.HasPrefix(ent.URL, "tg://user?id=") {
			ent.Type = "text_mention"
		}
	case "span":
		if attrs["class"] != "tg-spoiler" {
			return 0, entityErrorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
		}
	case "code":
		if lang, ok := strings.CutPrefix(attrs["class"], "language-"); ok && len(p.stack) > 0 && p.stack[len(p.stack)-1].name == "pre" {
			p.stack[len(p.stack)-1].ent.Language = lang
		}
	case "blockquote":
		if _, ok := attrs["expandable"]; ok {
			ent.Type = "expandable_blockquote"
		}
	case "tg-emoji":
		ent.CustomEmojiID = attrs["emoji-id"]
		if ent.CustomEmojiID == "" {
			return 0, entityErrorf("Custom emoji identifier must be non-empty at byte offset %d", begin)
		}
	}
	p.stack = append(p.stack, openTag{name: name, ent: ent, start: p.n16})
	return i, nil
}

func (p *htmlParser) attrValue(i, begin int) (string, int, error) {
	if i >= len(p.src) {
		return "", 0, entityErrorf("Unclosed start tag at byte offset %d", begin)
	}
	if q := p.src[i]; q == '"' || q == '\'' {
		end := strings.IndexByte(p.src[i+1:], q)
		if end < 0 {
			return "", 0, entityErrorf("Unclosed start tag at byte offset %d", begin)
		}
		return decodeCharRefs(p.src[i+1 : i+1+end]), i + end + 2, nil
	}
	j := i
	for j < len(p.src) && !isSpace(p.src[j]) && p.src[j] != '>' {
		j++
	}
	return decodeCharRefs(p.src[i:j]), j, nil
}

func (p *htmlParser) endTag(begin int) (int, error) {
	name, i := p.readName(begin + 2)
	i = p.skipSpaces(i)
	if i >= len(p.src) || p.src[i] != '>' {
		return 0, entityErrorf("Unclosed end tag at byte offset %d", begin)
	}
	if len(p.stack) == 0 {
		return 0, entityErrorf("Unexpected end tag at byte offset %d", begin)
	}
	top := p.stack[len(p.stack)-1]
	if top.name != name {
		return 0, entityErrorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top.name, name)
	}
	p.stack = p.stack[:len(p.stack)-1]
	if p.n16 > top.start && (top.ent.Type != "text_link" || top.ent.URL != "") {
		top.ent.Offset, top.ent.Length = top.start, p.n16-top.start
		p.ents = append(p.ents, top.ent)
	}
	return i + 1, nil
}

// charRef emits the character an HTML entity names. Like Telegram, it
// knows &lt; &gt; &amp; &quot; and numeric references; anything else is
// literal text.
func (p *htmlParser) charRef(i int) int {
	if r, size, ok := decodeCharRef(p.src[i:]); ok {
		p.emit(r)
		return i + size
	}
	p.emit('&')
	return i + 1
}

func decodeCharRef(s string) (rune, int, bool) {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 10 {
		return 0, 0, false
	}
	name := s[1:end]
	switch name {
	case "lt":
		return '<', end + 1, true
	case "gt":
		return '>', end + 1, true
	case "amp":
		return '&', end + 1, true
	case "quot":
		return '"', end + 1, true
	}
	num, ok := strings.CutPrefix(name, "#")
	if !ok {
		return 0, 0, false
	}
	base := 10
	if hex, isHex := strings.CutPrefix(strings.ToLower(num), "x"); isHex {
		num, base = hex, 16
	}
	n, err := strconv.ParseUint(num, base, 32)
	if err != nil || n == 0 || n > utf8.MaxRune {
		return 0, 0, false
	}
	return rune(n), end + 1, true
}

func decodeCharRefs(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '&' {
			if r, size, ok := decodeCharRef(s[i:]); ok {
				b.WriteRune(r)
				i += size
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}
