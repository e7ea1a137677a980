package bot_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"dinsosbot/bot"
)

func TestRedactPersonal(t *testing.T) {
	cases := []struct{ in, want string }{
		{"nik 1571010101900001 saved", "nik 157101********** saved"},
		{"hp 081234567890.", "hp 0812******90."},
		{"hp +6281234567890", "hp +6281*******90"},
		{"hp +62 812-3456-7890", "hp +62 81*-****-**90"},
		{"hp 6281234567890", "hp 6281*******90"},
		{"token 123456:ABCdef_ghi-jkl", "token <token>"},
		// Not personal data: left alone.
		{"update_id=700000001 chat=5000001", "update_id=700000001 chat=5000001"},
		{"at 2026-08-12T09:00:00.000Z took 0.8123 s", "at 2026-08-12T09:00:00.000Z took 0.8123 s"},
		{"17 digits 12345678901234567", "17 digits 12345678901234567"},
		{"short 0812 345", "short 0812 345"},
	}
	for _, c := range cases {
		if got := bot.RedactPersonal(c.in); got != c.want {
			t.Errorf("RedactPersonal(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

type contact struct{ Name, Phone string }

func TestRedactingHandler(t *testing.T) {
	const nik, phone = "1571010101900001", "081234567890"
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			var h slog.Handler = slog.NewTextHandler(&buf, nil)
			if format == "json" {
				h = slog.NewJSONHandler(&buf, nil)
			}
			log := slog.New(bot.NewRedactingHandler(h)).With("nik_attr", nik)
			log.Info("case saved for NIK "+nik+", phone "+phone,
				"phone", phone, "err", errors.New("duplicate NIK "+nik),
				"contact", contact{"Siti", "+62 812-3456-7890"},
				"nik_number", int64(1571010101900001),
				slog.Group("user", "phone", "6281234567890", "id", 5000001))
			log.WithGroup("g").Warn("again", "text", "hp: "+phone)
			out := buf.String()
			for _, leak := range []string{nik, phone, "1234567890", "3456-7890", "8123456"} {
				if strings.Contains(out, leak) {
					t.Errorf("log holds %q:\n%s", leak, out)
				}
			}
			for _, kept := range []string{"157101**********", "0812******90", "5000001", "Siti"} {
				if !strings.Contains(out, kept) {
					t.Errorf("log lacks %q:\n%s", kept, out)
				}
			}
		})
	}
}
