package flows

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"dinsosbot/flows/nik"
	"dinsosbot/store"
)

// The case form's optional RT/RW and family card number (No. KK), which a
// DTKS/SIKS-NG entry asks for as their own fields (issue 14).
//
// The No. KK is personal data like the NIK and handled like it: the message
// that typed it is deleted from the chat, the answer holds the masked form,
// the digits live in the flow's variables (sealed in the stored draft as any
// 16-digit run) until Save writes them into the case, sealed at rest.

// varKK is the flow variable holding the 16 digits of the answered No. KK.
const varKK = "kk"

// noOptions is a choice without buttons: the answer is typed (Match) or
// skipped.
func noOptions(*Ctx) ([]Option, error) { return nil, nil }

// rtRW is an RT/RW answer's value, "005-002": three digits each, as the KTP
// prints them; "-" because a button's value cannot hold "/".
func rtRW(rt, rw int) string { return fmt.Sprintf("%03d-%03d", rt, rw) }

// splitRTRW reads a value made by rtRW back as "005", "002".
func splitRTRW(v string) (rt, rw string, ok bool) {
	rt, rw, ok = strings.Cut(v, "-")
	return rt, rw, ok && len(rt) == 3 && len(rw) == 3
}

// rtRWText shows a value as the KTP writes it: 005/002.
func rtRWText(v string) string {
	if rt, rw, ok := splitRTRW(v); ok {
		return rt + "/" + rw
	}
	return v
}

// parseRTRW reads RT and RW as people type them: "5/2", "005/002",
// "RT 5 RW 2", "rt.05 rw.02", "05-02". Each is 1 to 999.
func parseRTRW(text string) (string, bool) {
	low := strings.NewReplacer("rt", " ", "rw", " ").Replace(strings.ToLower(text))
	var nums []int
	num := ""
	flush := func() bool {
		if num == "" {
			return true
		}
		n, err := strconv.Atoi(num)
		num = ""
		if err != nil || n < 1 || n > 999 {
			return false
		}
		nums = append(nums, n)
		return true
	}
	for _, r := range low {
		switch {
		case r >= '0' && r <= '9':
			if num += string(r); len(num) > 3 {
				return "", false
			}
		case strings.ContainsRune(" \t/\\.,:-", r):
			if !flush() {
				return "", false
			}
		default:
			return "", false
		}
	}
	if !flush() || len(nums) != 2 {
		return "", false
	}
	return rtRW(nums[0], nums[1]), true
}

// addressRTRW finds "RT 05 RW 02" (or "RT 05/RW 02") inside an address.
var addressRTRW = regexp.MustCompile(`(?i)\bRT\.?\s*(\d{1,3})\s*[/,]?\s*RW\.?\s*(\d{1,3})\b`)

// rtRWOptions offers, as a button, the RT/RW the address already names, and
// the current answer when editing.
func rtRWOptions(c *Ctx) ([]Option, error) {
	var opts []Option
	if m := addressRTRW.FindStringSubmatch(c.Answers.Text("address")); m != nil {
		if v, ok := parseRTRW(m[1] + "/" + m[2]); ok {
			opts = append(opts, Option{Value: v, Text: rtRWText(v) + " " + c.T("case.rt_rw.from_address")})
		}
	}
	if cur := c.Answers.Text("rt_rw"); cur != "" && (len(opts) == 0 || opts[0].Value != cur) {
		if _, _, ok := splitRTRW(cur); ok {
			opts = append(opts, Option{Value: cur, Text: rtRWText(cur)})
		}
	}
	return opts, nil
}

func matchRTRW(_ *Ctx, text string) (string, error) {
	if v, ok := parseRTRW(text); ok {
		return v, nil
	}
	return "", refuse("case.err.rt_rw")
}

// matchKK reads a typed No. KK: 16 digits (spaces, dots and dashes between
// them are fine), starting with a province code, not the NIK typed again.
// The message is deleted from the chat whether or not the number is valid.
func (a *App) matchKK(c *Ctx, text string) (string, error) {
	if hasDigits(text, 6) && c.Ev.MessageID != 0 {
		if _, err := c.Send(store.Message{Kind: store.KindDelete, MessageID: c.Ev.MessageID}); err != nil {
			return "", err
		}
	}
	var b strings.Builder
	for _, r := range text {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '.' || r == '-' || r == ' ' || r == '\t':
		default:
			return "", refuse("case.err.kk.chars")
		}
		if b.Len() > 4*nik.Length {
			break
		}
	}
	kk := b.String()
	switch {
	case len(kk) != nik.Length:
		got := strconv.Itoa(len(kk))
		if len(kk) > 4*nik.Length {
			got = strconv.Itoa(4*nik.Length) + "+"
		}
		return "", refuse("case.err.kk.length", "got", got)
	case kk == c.Vars[varNIK] && c.Answers.Text("nik") != "none":
		return "", refuse("case.err.kk.nik")
	}
	if _, ok := nik.Province(kk[:2]); !ok {
		return "", refuse("case.err.kk.province", "code", kk[:2])
	}
	c.Vars[varKK] = kk
	if err := c.Reply(c.T("case.no_kk.received", "kk", nik.Mask(kk))); err != nil {
		return "", err
	}
	return nik.Mask(kk), nil
}

// answeredKK is the form's No. KK, "" when skipped or not asked.
func answeredKK(c *Ctx) string {
	if v, ok := c.Answers["no_kk"]; !ok || v.Skipped || v.Text == "" {
		return ""
	}
	return c.Vars[varKK]
}

// answeredRTRW is the form's RT and RW, "" when skipped or not asked.
func answeredRTRW(c *Ctx) (rt, rw string) {
	v, ok := c.Answers["rt_rw"]
	if !ok || v.Skipped {
		return "", ""
	}
	rt, rw, _ = splitRTRW(v.Text)
	return rt, rw
}
