package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"dinsosbot/flows"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		body string // "" with missing=true: no file at all
		want string
	}{
		{"bad yaml", "telegram: [unclosed", "config"},
		{"unknown key", "telegram:\n  tokn_env: X\n", "unknown key \"tokn_env\""},
		{"unknown top-level key", "databse:\n  path: x.db\n", "unknown key \"databse\""},
		{"invalid time zone", "time_zone: Asia/Jambi\n", "time_zone: \"Asia/Jambi\" is not a known time zone"},
		{"bad duration", "telegram:\n  poll_timeout: fifty\n", "\"fifty\" is not a duration"},
		{"bad language", "language: fr\n", "language: \"fr\" is not supported"},
		{"bad admin", "admins: [-5]\n", "admins[0]"},
		{"wrong type", "admins: lots\n", "line 1"},
		{"remind after expiry", "drafts:\n  expire_after: 1h\n  remind_before: 2h\n", "drafts.remind_before"},
		{"bad log level", "log:\n  level: loud\n", "log.level"},
		{"bad cron expression", "schedules:\n  digest_daily: \"0 25 * * *\"\n", "schedules.digest_daily: \"0 25 * * *\" is not a cron expression"},
		{"bad reminder offset", "schedules:\n  meeting_offsets: [\"kemarin\"]\n", "schedules.meeting_offsets[0]"},
		{"http listen without port", "http:\n  listen: localhost\n", "http.listen: \"localhost\" is not host:port"},
		{"http listen bad port", "http:\n  listen: \"127.0.0.1:99999\"\n", "http.listen: \"127.0.0.1:99999\""},
		{"http listen named port", "http:\n  listen: \"127.0.0.1:http\"\n", "http.listen"},
		{"http poll_stale too short", "http:\n  listen: \"127.0.0.1:9090\"\n  poll_stale: 30s\n", "http.poll_stale"},
		{"backup bad schedule", "backup:\n  dir: /var/lib/dinsosbot/backups\n  schedule: \"every night\"\n", "backup.schedule: \"every night\" is not a cron expression"},
		{"backup schedule off with a dir", "backup:\n  dir: backups\n  schedule: \"off\"\n", "backup.schedule: must be a cron expression"},
		{"backup negative keep", "backup:\n  keep: -1\n", "backup.keep"},
		{"backup unknown key", "backup:\n  folder: x\n", "unknown key \"folder\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(writeConfig(t, tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadConfig error = %v, want one containing %q", err, tc.want)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := LoadConfig(filepath.Join(t.TempDir(), "nope.yaml"))
		if err == nil || !strings.Contains(err.Error(), "no such file") {
			t.Fatalf("LoadConfig error = %v, want no such file", err)
		}
	})
}

func TestLoadConfigDefaultsAndExample(t *testing.T) {
	for _, path := range []string{"", "config.example.yaml", writeConfig(t, "")} {
		cfg, err := LoadConfig(path)
		if err != nil {
			t.Fatalf("LoadConfig(%q): %v", path, err)
		}
		if got, want := cfg.Telegram.TokenEnv, "TELEGRAM_BOT_TOKEN"; got != want {
			t.Errorf("token_env = %q, want %q", got, want)
		}
		if got := cfg.Location().String(); got != "Asia/Jakarta" {
			t.Errorf("time zone = %s", got)
		}
		if got := time.Duration(cfg.Telegram.PollTimeout); got != 50*time.Second {
			t.Errorf("poll_timeout = %v", got)
		}
	}
	cfg, err := LoadConfig(writeConfig(t, "admins: [111, 222]\nsend:\n  chat_per_second: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Admins) != 2 || cfg.Send.ChatPerSecond != 2 || cfg.Send.GlobalPerSecond != 30 {
		t.Errorf("partial file did not merge over defaults: %+v", cfg)
	}
	cfg, err = LoadConfig(writeConfig(t, "http:\n  listen: \"127.0.0.1:9090\"\nbackup:\n  dir: /var/lib/dinsosbot/backups\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Backup.flows(), (flows.Backups{Dir: "/var/lib/dinsosbot/backups", Keep: 14, Spec: "0 2 * * *"}); got != want {
		t.Errorf("backup = %+v, want %+v", got, want)
	}
	if got := httpConfig(cfg.HTTP); got.Listen != "127.0.0.1:9090" || got.Registry == nil {
		t.Errorf("http = %+v, want the address and a registry", got)
	}
}

// TestLoggerRedacts: the configured logger, text or JSON, never writes a full
// NIK or a phone number.
func TestLoggerRedacts(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		cfg, err := LoadConfig(writeConfig(t, "log:\n  format: "+format+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		var buf strings.Builder
		cfg.Logger(&buf).Info("registered 3171012345670001 with 081298765432", "phone", "+6281298765432")
		out := buf.String()
		if strings.Contains(out, "3171012345670001") || strings.Contains(out, "98765432") {
			t.Errorf("%s log leaks personal data: %s", format, out)
		}
		if !strings.Contains(out, "317101**********") {
			t.Errorf("%s log lacks the masked NIK: %s", format, out)
		}
	}
}

func TestRunWithoutTokenPointsToDemo(t *testing.T) {
	var out, errOut strings.Builder
	err := run(t.Context(), []string{"run"}, strings.NewReader(""), &out, &errOut, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "TELEGRAM_BOT_TOKEN") || !strings.Contains(err.Error(), "dinsosbot demo") {
		t.Fatalf("run without a token = %v, want a hint naming the variable and the demo", err)
	}
}

// The README's first command without a token: the demo, with a word on how to
// serve real Telegram.
func TestDemoRunsScript(t *testing.T) {
	var out, errOut strings.Builder
	db := filepath.Join(t.TempDir(), "demo.db")
	noToken := func(string) string { return "" }
	err := run(t.Context(), []string{"-db", db}, strings.NewReader(""), &out, &errOut, noToken)
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(errOut.String(), "TELEGRAM_BOT_TOKEN is not set") {
		t.Errorf("no hint about the token on stderr:\n%s", errOut.String())
	}
	for _, want := range []string{
		"👤 Siti: /start", "🤖 → Siti: Halo, Siti",
		"🤖 → Admin: 🆕 Pendaftaran baru dari Siti", "👤 Admin: #✅ Setujui",
		"🤖 → Siti: 🎉 Pendaftaran Anda disetujui. Anda terdaftar sebagai PSM.",
		"👤 Siti: /lapor", "NIK diterima: 1571********0003",
		"🤖 → Admin: 🆕 Kasus baru", "📷 JMB-", "status sekarang 🟢 Diverifikasi",
		"🤖 → Siti: 📅 Undangan rapat", "Tercatat: Anda akan hadir.", "Jawaban Anda: Hadir",
		"demo finished",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("transcript lacks %q:\n%s", want, out.String())
		}
	}
	if !regexp.MustCompile(`Laporan tersimpan dengan kode JMB-\d{2}-00001\.`).MatchString(out.String()) {
		t.Errorf("no case code in the transcript:\n%s", out.String())
	}
	// Only Siti's own line holds the full NIK; the bot shows it masked.
	if n := strings.Count(out.String(), "1571015708900003"); n != 1 {
		t.Errorf("the full NIK appears %d times in the transcript, want once (typed by Siti)", n)
	}
}

func TestMigrate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	cfg := writeConfig(t, "database:\n  path: "+db+"\n")
	var out, errOut strings.Builder
	if err := run(t.Context(), []string{"-config", cfg, "migrate"}, nil, &out, &errOut, os.Getenv); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "migrations applied") {
		t.Errorf("migrate printed %q", out.String())
	}
	st, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("database mode %v, want 0600", st.Mode().Perm())
	}
}
