package bot_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"dinsosbot/bot"
)

// The formats people and programs write NIKs, phone numbers and tokens in
// are all masked; dates, amounts, case codes, ids and coordinates are not.
func TestRedactPersonalFormats(t *testing.T) {
	cases := []struct{ in, want string }{
		// NIKs, grouped as people write them.
		{"nik 1571015205900003", "nik 157101**********"},
		{"nik 1571 0152 0590 0003.", "nik 1571 01** **** ****."},
		{"nik 1571.0152.0590.0003", "nik 1571.01**.****.****"},
		{"nik 1571-0152-0590-0003", "nik 1571-01**-****-****"},
		{"nik 157101 520590 0003", "nik 157101 ****** ****"},
		{"nik 157101.520590.0003", "nik 157101.******.****"},
		{"nik 15.71.01.520590.0003", "nik 15.71.01.******.****"},
		{"(1571 0152-0590.0003)", "(1571 01**-****.****)"},
		// Phones.
		{"hp (0812) 3456-7890", "hp (0812) ****-**90"},
		{"hp +62 812-3456-7890", "hp +62 81*-****-**90"},
		{"hp +62 (812) 3456 7890", "hp +62 (81*) **** **90"},
		{"hp 0812 3456 7890", "hp 0812 **** **90"},
		{"hp 0812.3456.7890", "hp 0812.****.**90"},
		{"hp 62-812-3456-7890", "hp 62-81*-****-**90"},
		{"hp 62 812 3456 7890", "hp 62 81* **** **90"},
		{"hp 081234567890", "hp 0812******90"},
		{"hp +6281234567890", "hp +6281*******90"},
		{"hp:+62-812-3456-789", "hp:+62-81*-****-*89"},
		// Tokens, plain and URL-encoded.
		{"token 123456:ABCdef_ghi-jkl", "token <token>"},
		{"https://api.telegram.org/bot7123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe",
			"https://api.telegram.org/bot<token>/getMe"},
		{"https://api.telegram.org/bot7123456789%3AAAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe",
			"https://api.telegram.org/bot<token>/getMe"},
		{"proxy?u=https%3A%2F%2Fapi.telegram.org%2Fbot7123456789%3aAAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw%2FgetMe",
			"proxy?u=https%3A%2F%2Fapi.telegram.org%2Fbot<token>%2FgetMe"},
		// Not personal data: left alone.
		{"update_id=700000001 chat=5000001", "update_id=700000001 chat=5000001"},
		{"at 2026-08-12T09:00:00.000Z took 0.8123 s", "at 2026-08-12T09:00:00.000Z took 0.8123 s"},
		{"rapat 12-08-2026 09.00 sampai 02/11/2026", "rapat 12-08-2026 09.00 sampai 02/11/2026"},
		{"kasus JMB-26-00042 dan JMB-62-80042", "kasus JMB-26-00042 dan JMB-62-80042"},
		{"lokasi -1.610100, 103.613100", "lokasi -1.610100, 103.613100"},
		{"lokasi -1.6101 103.6131 radius 100 m", "lokasi -1.6101 103.6131 radius 100 m"},
		{"bantuan Rp 1.500.000 dan Rp 62.800.000.000", "bantuan Rp 1.500.000 dan Rp 62.800.000.000"},
		{"anggaran 1.571.015.205.900.003", "anggaran 1.571.015.205.900.003"},
		{"kelurahan 15.71.01.1002", "kelurahan 15.71.01.1002"},
		{"17 digits 12345678901234567", "17 digits 12345678901234567"},
		{"short 0812 345", "short 0812 345"},
		{"jam 08:12:34, 0812", "jam 08:12:34, 0812"},
	}
	for _, c := range cases {
		if got := bot.RedactPersonal(c.in); got != c.want {
			t.Errorf("RedactPersonal(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// The errors net/http returns quote the request's URL, token and all; once
// redacted, neither the plain nor the URL-encoded token is left.
func TestRedactNetHTTPErrors(t *testing.T) {
	const token = "7123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // every request now fails with a url.Error
	for _, u := range []string{
		base + "/bot" + token + "/getUpdates",
		base + "/getUpdates?token=" + url.QueryEscape(token),
		base + "/" + url.PathEscape("bot"+token) + "/getMe",
	} {
		_, err := http.Get(u)
		if err == nil {
			t.Fatalf("GET %s succeeded", u)
		}
		got := bot.RedactPersonal(err.Error())
		if strings.Contains(got, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw") || !strings.Contains(got, "<token>") {
			t.Errorf("redacted error %q", got)
		}
	}
}
