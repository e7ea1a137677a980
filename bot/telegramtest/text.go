package telegramtest

import (
	"encoding/json"
	"strings"
	"unicode/utf16"
)

const (
	maxTextLen    = 4096
	maxCaptionLen = 1024
)

// formatted is a text or caption after entity parsing: what the user reads.
type formatted struct {
	text     string
	entities []entity
}

func (f formatted) equal(g formatted) bool {
	if f.text != g.text || len(f.entities) != len(g.entities) {
		return false
	}
	for i := range f.entities {
		if f.entities[i] != g.entities[i] {
			return false
		}
	}
	return true
}

// format applies parse_mode (or explicit entities) to raw text.
func format(raw, parseMode, entitiesJSON string) (formatted, *apiError) {
	var (
		f   formatted
		err error
	)
	switch strings.ToLower(parseMode) {
	case "":
		f.text = raw
		if entitiesJSON != "" {
			_ = json.Unmarshal([]byte(entitiesJSON), &f.entities)
		}
	case "html":
		f.text, f.entities, err = parseHTML(raw)
	case "markdownv2":
		f.text, f.entities, err = parseMarkdownV2(raw)
	case "markdown":
		f.text, f.entities, err = parseMarkdown(raw)
	default:
		return f, badRequest("unsupported parse_mode")
	}
	if err != nil {
		return f, badRequest("can't parse entities: %s", err)
	}
	return f, nil
}

// formatMessageText formats a message text and holds it to Telegram's
// 1..4096 characters after entity parsing.
func formatMessageText(p *params) (formatted, *apiError) {
	f, aerr := format(p.str("text"), p.str("parse_mode"), p.str("entities"))
	if aerr != nil {
		return f, aerr
	}
	if strings.TrimSpace(f.text) == "" {
		return f, badRequest("message text is empty")
	}
	if utf16Len(f.text) > maxTextLen {
		return f, badRequest("message is too long")
	}
	return f, nil
}

func formatCaption(p *params) (formatted, *apiError) {
	f, aerr := format(p.str("caption"), p.str("parse_mode"), p.str("caption_entities"))
	if aerr != nil {
		return f, aerr
	}
	if utf16Len(f.text) > maxCaptionLen {
		return f, badRequest("message caption is too long")
	}
	return f, nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// commandEntity marks a leading "/command" (or "/command@bot") the way
// Telegram does for messages users send.
func commandEntities(text string) []entity {
	if !strings.HasPrefix(text, "/") {
		return nil
	}
	end := strings.IndexAny(text, " \n\t")
	if end < 0 {
		end = len(text)
	}
	if end == 1 {
		return nil
	}
	return []entity{{Type: "bot_command", Offset: 0, Length: utf16Len(text[:end])}}
}

// CheckHTML parses s as a text sent with parse_mode HTML, as Telegram does,
// and returns what it refuses; for producers of HTML to test against.
func CheckHTML(s string) error {
	_, _, err := parseHTML(s)
	return err
}
