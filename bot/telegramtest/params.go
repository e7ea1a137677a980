package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// params holds a request's parameters in one shape whatever the encoding:
// Telegram accepts the query string, urlencoded and multipart forms and JSON
// bodies alike.
type params struct {
	values map[string]string
	// composite marks values that came as JSON objects or arrays in a JSON
	// body, so they cannot pass for a String or Integer.
	composite map[string]bool
	files     map[string]*upload
}

type upload struct {
	filename    string
	contentType string
	data        []byte
}

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxRequestBytes {
		return nil, errors.New("request entity too large")
	}
	return b, nil
}

func parseParams(r *http.Request, body []byte) (*params, *apiError) {
	p := &params{values: map[string]string{}, composite: map[string]bool{}, files: map[string]*upload{}}
	for k, v := range r.URL.Query() {
		p.set(k, v[0])
	}
	if len(body) == 0 {
		return p, nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		if err := p.addJSON(body); err != nil {
			return nil, badRequest("can't parse JSON object: %v", err)
		}
	case "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, badRequest("can't parse request body: %v", err)
		}
		for k, v := range q {
			p.set(k, v[0])
		}
	case "multipart/form-data":
		if err := p.addMultipart(body, ctParams["boundary"]); err != nil {
			return nil, badRequest("can't parse multipart request: %v", err)
		}
	default:
		return nil, badRequest("unsupported Content-Type %q", ct)
	}
	return p, nil
}

// set records a form value. Clients (go-telegram-bot-api among them) send
// empty strings for unset optional fields; Telegram treats them as absent.
func (p *params) set(k, v string) {
	if v == "" {
		delete(p.values, k)
		return
	}
	p.values[k] = v
}

func (p *params) addJSON(body []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return err
	}
	for k, raw := range obj {
		raw = bytes.TrimSpace(raw)
		switch {
		case len(raw) == 0 || string(raw) == "null":
		case raw[0] == '"':
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return err
			}
			p.set(k, s)
		case raw[0] == '{' || raw[0] == '[':
			p.values[k] = string(raw)
			p.composite[k] = true
		default:
			p.values[k] = string(raw) // number or boolean literal
		}
	}
	return nil
}

func (p *params) addMultipart(body []byte, boundary string) error {
	if boundary == "" {
		return errors.New("no boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return err
		}
		name := part.FormName()
		if part.FileName() != "" {
			p.files[name] = &upload{filename: part.FileName(), contentType: part.Header.Get("Content-Type"), data: data}
			continue
		}
		p.set(name, string(data))
	}
}

func (p *params) has(k string) bool {
	_, ok := p.values[k]
	return ok || p.files[k] != nil
}

func (p *params) str(k string) string { return p.values[k] }

// The typed getters run after checkParams validated the types, so parse
// errors cannot happen there and yield zero values.

func (p *params) int64(k string) int64 {
	n, _ := strconv.ParseInt(p.values[k], 10, 64)
	return n
}

func (p *params) int(k string) int { return int(p.int64(k)) }

func (p *params) float(k string) float64 {
	f, _ := strconv.ParseFloat(p.values[k], 64)
	return f
}

func (p *params) bool(k string) bool {
	b, _ := parseBool(p.values[k])
	return b
}

func (p *params) json(k string, dst any) bool {
	v, ok := p.values[k]
	return ok && json.Unmarshal([]byte(v), dst) == nil
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}
