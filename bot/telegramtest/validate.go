package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// specMethodNames maps lower-case method names to their spelling in the
// spec: Telegram matches method names case-insensitively.
var specMethodNames = func() map[string]string {
	m := make(map[string]string, len(specMethods))
	for name := range specMethods {
		m[strings.ToLower(name)] = name
	}
	return m
}()

// legacyParams are parameters of older Bot API versions that
// go-telegram-bot-api v5.5.1 still sends and Telegram still honours. They are
// known only on methods that have their successor, so the unknown-parameter
// check stays strict everywhere else.
var legacyParams = map[string]struct{ successor, types string }{
	"reply_to_message_id":         {"reply_parameters", "Integer"},
	"allow_sending_without_reply": {"reply_parameters", "Boolean"},
	"disable_web_page_preview":    {"link_preview_options", "Boolean"},
	"thumb":                       {"thumbnail", "InputFile|String"},
}

// checkParams holds a request to the method's published parameters: no
// unknown parameter, every value of an accepted type, nothing required
// missing. Real Telegram ignores unknown parameters; we refuse them because
// a misspelt parameter is a bug Telegram would hide.
func checkParams(method string, p *params) *apiError {
	fields := map[string]specField{}
	for _, f := range specMethods[method] {
		fields[f.Name] = f
	}
	names := make([]string, 0, len(p.values)+len(p.files))
	for k := range p.values {
		names = append(names, k)
	}
	for k := range p.files {
		if _, dup := p.values[k]; !dup {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		f, ok := fields[name]
		if !ok {
			l, legacy := legacyParams[name]
			if _, hasSuccessor := fields[l.successor]; !legacy || !hasSuccessor {
				return badRequest("unknown parameter %s", name)
			}
			f = specField{Name: name, Types: l.types}
		}
		if aerr := checkParam(f, p); aerr != nil {
			return aerr
		}
	}
	for _, f := range specMethods[method] {
		if f.Required && !p.has(f.Name) {
			if f.Name == "text" {
				return badRequest("message text is empty")
			}
			return badRequest("parameter %s is required", f.Name)
		}
	}
	return nil
}

func checkParam(f specField, p *params) *apiError {
	alts := strings.Split(f.Types, "|")
	if up := p.files[f.Name]; up != nil {
		if !slices.Contains(alts, "InputFile") {
			return badRequest("wrong type of parameter %s: expected %s, got a file", f.Name, f.Types)
		}
		return nil
	}
	v := p.values[f.Name]
	if v == "null" && !hasScalar(alts) {
		// JSON-encoding an unset slice yields "null"; go-telegram-bot-api
		// sends allowed_updates that way.
		delete(p.values, f.Name)
		return nil
	}
	if f.Name == "reply_markup" {
		return checkReplyMarkup(alts, v)
	}
	var first *apiError
	for _, alt := range alts {
		aerr := checkTopValue(f.Name, alt, v, p.composite[f.Name])
		if aerr == nil {
			return nil
		}
		if first == nil {
			first = aerr
		}
	}
	return first
}

func hasScalar(alts []string) bool {
	for _, a := range alts {
		switch a {
		case "Integer", "Float", "Boolean", "String":
			return true
		}
	}
	return false
}

// checkTopValue checks one form value, which is text whatever its type:
// objects and arrays arrive JSON-encoded.
func checkTopValue(name, typ, v string, composite bool) *apiError {
	ok := true
	switch typ {
	case "Integer":
		_, err := strconv.ParseInt(v, 10, 64)
		ok = !composite && err == nil
	case "Float":
		_, err := strconv.ParseFloat(v, 64)
		ok = !composite && err == nil
	case "Boolean":
		_, valid := parseBool(v)
		ok = !composite && valid
	case "String":
		ok = !composite
	case "InputFile":
		ok = false
	default:
		decoded, err := decodeJSON(v)
		if err != nil {
			return badRequest("can't parse %s JSON object", name)
		}
		return checkJSON(name, typ, decoded)
	}
	if !ok {
		return wrongType(name, typ)
	}
	return nil
}

func wrongType(path, typ string) *apiError {
	return badRequest("wrong type of parameter %s: expected %s", path, typ)
}

func decodeJSON(s string) (any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

// checkJSON checks a decoded JSON value against a spec type expression such
// as "Array of Array of InlineKeyboardButton", recursing into object fields
// with the same strictness as top-level parameters.
func checkJSON(path, typ string, v any) *apiError {
	if elem, ok := strings.CutPrefix(typ, "Array of "); ok {
		arr, ok := v.([]any)
		if !ok {
			return wrongType(path, typ)
		}
		for i, e := range arr {
			if aerr := checkJSON(fmt.Sprintf("%s[%d]", path, i), elem, e); aerr != nil {
				return aerr
			}
		}
		return nil
	}
	ok := true
	switch typ {
	case "Integer":
		n, isNum := v.(json.Number)
		_, err := strconv.ParseInt(n.String(), 10, 64)
		ok = isNum && err == nil
	case "Float":
		_, ok = v.(json.Number)
	case "Boolean":
		_, ok = v.(bool)
	case "String", "InputFile":
		// Inside objects a file is an "attach://<name>" reference or a file_id.
		_, ok = v.(string)
	default:
		return checkObject(path, typ, v)
	}
	if !ok {
		return wrongType(path, typ)
	}
	return nil
}

func checkObject(path, typ string, v any) *apiError {
	obj, known := specTypes[typ]
	if !known {
		// Not reachable from any method's parameters; nothing to check.
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return wrongType(path, typ)
	}
	if len(obj.Subtypes) > 0 {
		sub := pickSubtype(obj, m)
		if sub == "" {
			return badRequest("can't parse %s: unsupported %s", path, typ)
		}
		return checkJSON(path, sub, v)
	}
	fields := map[string]specField{}
	for _, f := range obj.Fields {
		fields[f.Name] = f
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		f, ok := fields[k]
		if !ok {
			return badRequest("unknown parameter %s.%s", path, k)
		}
		if m[k] == nil {
			continue
		}
		if f.Const != "" && m[k] != f.Const {
			return badRequest("wrong value of parameter %s.%s: must be %q", path, k, f.Const)
		}
		if aerr := checkAlternatives(path+"."+k, f.Types, m[k]); aerr != nil {
			return aerr
		}
	}
	for _, f := range obj.Fields {
		if f.Required && m[f.Name] == nil {
			return badRequest("parameter %s.%s is required", path, f.Name)
		}
	}
	return nil
}

func checkAlternatives(path, types string, v any) *apiError {
	var first *apiError
	for _, alt := range strings.Split(types, "|") {
		aerr := checkJSON(path, alt, v)
		if aerr == nil {
			return nil
		}
		if first == nil {
			first = aerr
		}
	}
	return first
}

// pickSubtype finds the subtype whose discriminator ("type", "source", ...)
// has the value the object carries.
func pickSubtype(obj specObject, m map[string]any) string {
	for _, st := range obj.Subtypes {
		for _, f := range specTypes[st].Fields {
			if f.Const != "" && m[f.Name] == f.Const {
				return st
			}
		}
	}
	return ""
}
