package bot

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
)

// nikPattern matches a NIK (Nomor Induk Kependudukan): 16 digits standing
// alone, or grouped as people write them, with spaces, dots or dashes:
// 4-4-4-4 (1571 0152 0590 0003), 6-6-4 (157101.520590.0003) and the code's
// own parts 2-2-2-6-4 (15.71.01.520590.0003).
var nikPattern = regexp.MustCompile(`\b(?:\d{16}|\d{4}[ .-]\d{4}[ .-]\d{4}[ .-]\d{4}|\d{6}[ .-]\d{6}[ .-]\d{4}|` +
	`\d{2}[ .-]\d{2}[ .-]\d{2}[ .-]\d{6}[ .-]\d{4})\b`)

// phonePattern matches an Indonesian mobile number: +62, 62 or 0, then 8 and
// 8 to 12 more digits, with optional spaces, dots or dashes between groups
// and brackets around the prefix ((0812) 3456-7890, +62 812-3456-7890,
// 62-812-3456-7890, 0812 3456 7890, 081234567890, 6281234567890).
var phonePattern = regexp.MustCompile(`\(?(?:\+62|\b62|\b0)\)?[ .-]?\(?8\d{1,3}\)?(?:[ .-]?\d{2,5}){2,3}\b`)

// rupiahPattern is an amount in thousands with dots (62.800.000.000), which
// phonePattern would otherwise take for 62 8...
var rupiahPattern = regexp.MustCompile(`^[1-9]\d{0,2}(?:\.\d{3})+$`)

// RedactPersonal hides, in s, bot tokens, NIKs (the first 6 digits, the
// region code, stay) and Indonesian phone numbers (the first 4 and last 2
// digits stay): enough to tell two lines apart, not to identify anyone.
func RedactPersonal(s string) string {
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	s = Redact(s)
	s = nikPattern.ReplaceAllStringFunc(s, maskNIK)
	return phonePattern.ReplaceAllStringFunc(s, maskPhone)
}

// maskNIK keeps a NIK's first 6 digits (the region code) and its separators.
func maskNIK(nik string) string {
	var b strings.Builder
	seen := 0
	for _, r := range nik {
		if r >= '0' && r <= '9' {
			if seen++; seen > 6 {
				r = '*'
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maskPhone keeps the first 4 and the last 2 digits of a phone number; a
// match of fewer than 10 digits is not one and stays.
func maskPhone(p string) string {
	digits := 0
	for _, r := range p {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits < 10 || rupiahPattern.MatchString(p) {
		return p
	}
	var b strings.Builder
	seen := 0
	for _, r := range p {
		if r < '0' || r > '9' {
			b.WriteRune(r)
			continue
		}
		seen++
		if seen <= 4 || seen > digits-2 {
			b.WriteRune(r)
		} else {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// RedactingHandler wraps a slog.Handler so that no log line carries a bot
// token, a full NIK or a phone number: the message and every attribute value
// (strings, errors, anything printed, inside groups too, and 16-digit
// integers) pass through RedactPersonal before next sees them.
type RedactingHandler struct{ next slog.Handler }

// NewRedactingHandler returns next wrapped by a RedactingHandler.
func NewRedactingHandler(next slog.Handler) *RedactingHandler { return &RedactingHandler{next: next} }

// Enabled reports what next reports.
func (h *RedactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle redacts r's message and attributes and passes it on.
func (h *RedactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, RedactPersonal(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs redacts attrs once, here, and passes them on.
func (h *RedactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = redactAttr(a)
	}
	return &RedactingHandler{next: h.next.WithAttrs(red)}
}

// WithGroup passes the group on.
func (h *RedactingHandler) WithGroup(name string) slog.Handler {
	return &RedactingHandler{next: h.next.WithGroup(name)}
}

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, RedactPersonal(v.String()))
	case slog.KindInt64:
		if n := v.Int64(); n >= 1e15 && n < 1e16 {
			return slog.String(a.Key, RedactPersonal(strconv.FormatInt(n, 10)))
		}
	case slog.KindUint64:
		if n := v.Uint64(); n >= 1e15 && n < 1e16 {
			return slog.String(a.Key, RedactPersonal(strconv.FormatUint(n, 10)))
		}
	case slog.KindGroup:
		group := v.Group()
		red := make([]any, len(group))
		for i, g := range group {
			red[i] = redactAttr(g)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		var s string
		if err, ok := v.Any().(error); ok {
			s = err.Error()
		} else {
			s = fmt.Sprintf("%+v", v.Any())
		}
		// Only what carried something to hide becomes a string; the rest
		// keeps its type (the JSON handler prints structs as objects).
		if red := RedactPersonal(s); red != s {
			return slog.String(a.Key, red)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
