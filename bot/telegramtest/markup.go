package telegramtest

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// Button is a keyboard button as the user sees it.
type Button struct {
	Text, CallbackData, URL         string
	RequestContact, RequestLocation bool
}

// markup is a validated reply_markup.
type markup struct {
	typ     string // spec type name
	buttons [][]Button
	// canonical is the markup re-encoded with sorted keys: what messages
	// echo back and what "message is not modified" compares.
	canonical json.RawMessage
}

const errMarkupJSON = "can't parse reply keyboard markup JSON object"

var allMarkupTypes = []string{"InlineKeyboardMarkup", "ReplyKeyboardMarkup", "ReplyKeyboardRemove", "ForceReply"}

// inlineActions are the InlineKeyboardButton fields that give a button its
// action; text, icon_custom_emoji_id and style only dress it.
var inlineActions = func() []string {
	var names []string
	for _, f := range specTypes["InlineKeyboardButton"].Fields {
		switch f.Name {
		case "text", "icon_custom_emoji_id", "style":
		default:
			names = append(names, f.Name)
		}
	}
	return names
}()

var keyboardRequests = func() []string {
	var names []string
	for _, f := range specTypes["KeyboardButton"].Fields {
		if strings.HasPrefix(f.Name, "request_") || f.Name == "web_app" {
			names = append(names, f.Name)
		}
	}
	return names
}()

func checkReplyMarkup(alts []string, v string) *apiError {
	_, aerr := parseMarkup(alts, v)
	return aerr
}

// markup returns the request's reply_markup, nil when absent. It was
// validated by checkParams, so it parses.
func (p *params) markup() *markup {
	v, ok := p.values["reply_markup"]
	if !ok {
		return nil
	}
	mk, _ := parseMarkup(allMarkupTypes, v)
	return mk
}

// inlineOnly is the inline keyboard a message shows for markup: none for
// other kinds of markup, and none for an empty inline_keyboard, which looks
// the same to the user as no keyboard at all.
func inlineOnly(mk *markup) *markup {
	if mk == nil || mk.typ != "InlineKeyboardMarkup" || len(mk.buttons) == 0 {
		return nil
	}
	return mk
}

func parseMarkup(alts []string, v string) (*markup, *apiError) {
	decoded, err := decodeJSON(v)
	m, isObj := decoded.(map[string]any)
	if err != nil || !isObj {
		return nil, badRequest(errMarkupJSON)
	}
	typ := markupType(m)
	if typ == "" || !slices.Contains(alts, typ) {
		return nil, badRequest(errMarkupJSON)
	}
	if aerr := checkJSON("reply_markup", typ, m); aerr != nil {
		return nil, aerr
	}
	mk := &markup{typ: typ}
	var aerr *apiError
	switch typ {
	case "InlineKeyboardMarkup":
		mk.buttons, aerr = inlineButtons(m["inline_keyboard"].([]any))
	case "ReplyKeyboardMarkup":
		mk.buttons, aerr = keyboardButtons(m["keyboard"].([]any))
	}
	if aerr != nil {
		return nil, aerr
	}
	mk.canonical, _ = json.Marshal(m)
	return mk, nil
}

func markupType(m map[string]any) string {
	switch {
	case m["inline_keyboard"] != nil:
		return "InlineKeyboardMarkup"
	case m["keyboard"] != nil:
		return "ReplyKeyboardMarkup"
	case m["remove_keyboard"] != nil:
		return "ReplyKeyboardRemove"
	case m["force_reply"] != nil:
		return "ForceReply"
	}
	return ""
}

func inlineButtons(rows []any) ([][]Button, *apiError) {
	out := make([][]Button, 0, len(rows))
	for _, row := range rows {
		var line []Button
		for _, b := range row.([]any) {
			m := b.(map[string]any)
			var used []string
			for _, a := range inlineActions {
				if v, ok := m[a]; ok && v != nil && v != false {
					used = append(used, a)
				}
			}
			switch {
			case len(used) == 0:
				return nil, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			case len(used) > 1:
				return nil, badRequest("can't parse inline keyboard button: exactly one of the optional fields must be used, got %s", strings.Join(used, ", "))
			}
			btn := Button{Text: str(m["text"])}
			if data, ok := m["callback_data"].(string); ok {
				if len(data) < 1 || len(data) > 64 {
					return nil, badRequest("BUTTON_DATA_INVALID")
				}
				btn.CallbackData = data
			}
			if u, ok := m["url"].(string); ok {
				if !validButtonURL(u) {
					return nil, badRequest("BUTTON_URL_INVALID")
				}
				btn.URL = u
			}
			line = append(line, btn)
		}
		out = append(out, line)
	}
	return out, nil
}

func keyboardButtons(rows []any) ([][]Button, *apiError) {
	out := make([][]Button, 0, len(rows))
	for _, row := range rows {
		var line []Button
		for _, b := range row.([]any) {
			m := b.(map[string]any)
			n := 0
			for _, r := range keyboardRequests {
				if v, ok := m[r]; ok && v != nil && v != false {
					n++
				}
			}
			if n > 1 {
				return nil, badRequest("can't parse keyboard button: at most one of the optional fields can be used")
			}
			line = append(line, Button{
				Text:            str(m["text"]),
				RequestContact:  m["request_contact"] == true,
				RequestLocation: m["request_location"] == true,
			})
		}
		out = append(out, line)
	}
	return out, nil
}

func validButtonURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "http", "https":
		return u.Host != ""
	case "tg":
		return true
	}
	return false
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
