package main

import (
	"bytes"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/flows"
	"dinsosbot/flows/xlsform"
	"dinsosbot/store"
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
		{"no retry attempts", "send:\n  retry_attempts: 0\n", "send.retry_attempts"},
		{"no stuck threshold", "send:\n  stuck_after: 0s\n", "send.stuck_after"},
		{"backup unknown key", "backup:\n  folder: x\n", "unknown key \"folder\""},
		{"positive coordinator group", "coordinator_groups: [12345]\n", "coordinator_groups[0]: 12345 is not a group chat id"},
		{"zero coordinator group", "coordinator_groups: [-100, 0]\n", "coordinator_groups[1]"},
		{"coordinator group twice", "coordinator_groups: [-100, -200, -100]\n", "coordinator_groups[2]: -100 is listed twice"},
		{"lower-case case prefix", "case_code_prefix: jmb\n", "case_code_prefix: \"jmb\" must be 2 to 6 capital letters"},
		{"one-letter case prefix", "case_code_prefix: J\n", "case_code_prefix"},
		{"long case prefix", "case_code_prefix: DINSOSJMB\n", "case_code_prefix"},
		{"case prefix with a dash", "case_code_prefix: JM-B\n", "case_code_prefix"},
		{"empty case prefix", "case_code_prefix: \"\"\n", "case_code_prefix"},
		{"check-in lead zero", "meetings:\n  checkin_lead: 0s\n", "meetings.checkin_lead: 0s must be whole minutes from 1m to 24h"},
		{"check-in lead over a day", "meetings:\n  checkin_lead: 25h\n", "meetings.checkin_lead"},
		{"check-in lead in seconds", "meetings:\n  checkin_lead: 90s\n", "meetings.checkin_lead"},
		{"meetings unknown key", "meetings:\n  lead: 1h\n", "unknown key \"lead\""},
		{"missing regions file", "regions_file: /nonexistent/wilayah.csv\n", "regions_file: open /nonexistent/wilayah.csv"},
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

// regionsHeader is the header of the regions CSV, as in the built-in file.
const regionsHeader = "tingkat,kode_kemendagri,nama,kode_kecamatan,catatan\n"

// TestLoadConfigRegions: a regions_file is read and checked at start; a bad
// one stops the bot naming the key, the file and the row or code at fault.
func TestLoadConfigRegions(t *testing.T) {
	tests := []struct {
		name, csv string
		want      string // error substring; "" for success
	}{
		{"ok", regionsHeader + "kabupaten,99.01,Kabupaten Contoh,,\n" +
			"kecamatan,99.01.01,Hulu,99.01.01,\nkelurahan,99.01.01.2001,Tepi,99.01.01,ejaan lain: Tepian\n" +
			"kecamatan,99.01.02,Hilir,99.01.02,\ndesa,99.01.02.2001,Muara,99.01.02,\n", ""},
		{"empty file", "", "empty CSV"},
		{"missing column", "tingkat,nama\nkota,X\n", "no column \"kode_kemendagri\""},
		{"unknown level", regionsHeader + "kota,99.01,Kota Contoh,,\nprovinsi,99,Contoh,,\n", "line 3: unknown tingkat \"provinsi\""},
		{"kelurahan before its kecamatan", regionsHeader + "kota,99.01,Kota Contoh,,\nkelurahan,99.01.01.1001,Tepi,99.01.01,\n",
			"line 3: kelurahan \"Tepi\" names kecamatan \"99.01.01\" before it is listed"},
		{"duplicate code", regionsHeader + "kota,99.01,Kota Contoh,,\nkecamatan,99.01.01,Hulu,99.01.01,\n" +
			"kelurahan,99.01.01.1001,Tepi,99.01.01,\nkelurahan,99.01.01.1001,Seberang,99.01.01,\n", "code \"99.01.01.1001\" is used by both"},
		{"kecamatan without kelurahan", regionsHeader + "kota,99.01,Kota Contoh,,\nkecamatan,99.01.01,Hulu,99.01.01,\n", "has no kelurahan"},
		{"no city row", regionsHeader + "kecamatan,99.01.01,Hulu,99.01.01,\nkelurahan,99.01.01.1001,Tepi,99.01.01,\n", "no row with tingkat kota"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			csvPath := filepath.Join(t.TempDir(), "wilayah.csv")
			if err := os.WriteFile(csvPath, []byte(tc.csv), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := LoadConfig(writeConfig(t, "regions_file: "+csvPath+"\n"))
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), "regions_file "+csvPath) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("LoadConfig error = %v, want one naming regions_file %s and containing %q", err, csvPath, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := cfg.flows("dinsos_bot").Regions
			if got.City != "Kabupaten Contoh" || len(got.Kecamatan) != 2 || got.KelurahanCount() != 2 {
				t.Errorf("regions = %+v, want Kabupaten Contoh with 2 kecamatan and 2 kelurahan", got)
			}
			if _, ok := got.FindKelurahan("99.01.01", "Tepian"); !ok {
				t.Errorf("the spelling variant Tepian is not found")
			}
		})
	}
}

// TestConfigToFlows: every setting the flows take is passed through, the
// defaults being Kota Jambi's.
func TestConfigToFlows(t *testing.T) {
	tests := []struct {
		name, body string
		check      func(t *testing.T, fc flows.Config)
	}{
		{"defaults", "", func(t *testing.T, fc flows.Config) {
			if fc.Regions == nil || fc.Regions.City != "Kota Jambi" || len(fc.Regions.Kecamatan) != 11 || fc.Regions.KelurahanCount() != 68 {
				t.Errorf("regions = %+v, want Kota Jambi's 11 kecamatan and 68 kelurahan", fc.Regions)
			}
			// "" lets flows.New name the office after the regions' city.
			if fc.Office != "" || fc.CaseCodePrefix != "JMB" || fc.CheckinLead != time.Hour || fc.CoordinatorGroups != nil {
				t.Errorf("office %q, prefix %q, check-in lead %v, groups %v; want \"\", JMB, 1h, none",
					fc.Office, fc.CaseCodePrefix, fc.CheckinLead, fc.CoordinatorGroups)
			}
		}},
		{"set", "office: Dinas Sosial Kota Contoh\nadmins: [7]\ncoordinator_groups: [-1001234567890, -42]\n" +
			"case_code_prefix: KTC\nmeetings:\n  checkin_lead: 90m\nlanguage: en\nmedia_dir: foto\n",
			func(t *testing.T, fc flows.Config) {
				if fc.Office != "Dinas Sosial Kota Contoh" || fc.CaseCodePrefix != "KTC" || fc.CheckinLead != 90*time.Minute ||
					fc.DefaultLang != "en" || fc.MediaDir != "foto" || len(fc.Admins) != 1 {
					t.Errorf("flows config = %+v", fc)
				}
				if len(fc.CoordinatorGroups) != 2 || fc.CoordinatorGroups[0] != -1001234567890 || fc.CoordinatorGroups[1] != -42 {
					t.Errorf("coordinator groups = %v", fc.CoordinatorGroups)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(writeConfig(t, tc.body))
			if err != nil {
				t.Fatal(err)
			}
			fc := cfg.flows("dinsos_bot")
			if fc.BotUsername != "dinsos_bot" || fc.Location == nil || fc.Location.String() != "Asia/Jakarta" {
				t.Errorf("username %q, location %v", fc.BotUsername, fc.Location)
			}
			tc.check(t, fc)
		})
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
		"👤 Siti: /start", "🤖 → Siti: Halo, Siti", "asisten pelaporan lapangan Dinas Sosial Kota Jambi",
		"🤖 → Admin: 🆕 Pendaftaran baru dari Siti", "👤 Admin: #✅ Setujui",
		"🤖 → Siti: 🎉 Pendaftaran Anda disetujui. Anda terdaftar sebagai PSM.",
		"👤 Siti: /lapor", "NIK diterima: 1571********0003",
		"🤖 → Admin: [photo] 🆕 Kasus baru", "JMB-26-", "status sekarang 🟢 Diverifikasi",
		"🤖 → Siti: 📅 Undangan rapat", "Tercatat: Anda akan hadir.", "Jawaban Anda: Hadir",
		"👤 Admin: @xlsform", "🤖 → Admin: 📥 Berkas kunjungan_pendampingan.xlsx diterima",
		"form_id: kunjungan_pendampingan", "Terbitkan untuk siapa?", "👤 Admin: #PSM",
		"🤖 → Admin (pop-up): Diterbitkan.", "Formulir Kunjungan pendampingan terkirim, nomor #1",
		"demo finished",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("transcript lacks %q:\n%s", want, out.String())
		}
	}
	if !regexp.MustCompile(`Laporan tersimpan dengan kode JMB-\d{2}-00001\.`).MatchString(out.String()) {
		t.Errorf("no case code in the transcript:\n%s", out.String())
	}
	// The visit form was published by the admin's upload: the workbook as
	// sent, uploaded by the demo's admin, for PSM.
	sqldb, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer sqldb.Close()
	var by int64
	var role string
	var xlsx []byte
	if err := sqldb.QueryRow(`SELECT v.uploaded_by, f.audience_role, v.xlsx FROM forms f
		JOIN form_versions v ON v.id = f.published_version WHERE f.form_id = 'kunjungan_pendampingan'`).Scan(&by, &role, &xlsx); err != nil {
		t.Fatalf("the visit form is not published: %v", err)
	}
	if by != 5000001 || role != store.RolePSM || !bytes.Equal(xlsx, xlsform.VisitForm) {
		t.Errorf("visit form uploaded by %d for %q, %d bytes (shipped %d)", by, role, len(xlsx), len(xlsform.VisitForm))
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

// TestBotConfigDelivery: the delivery budgets and thresholds reach the
// runtime, defaults and overrides alike.
func TestBotConfigDelivery(t *testing.T) {
	cfg, err := LoadConfig(writeConfig(t, "send:\n  retry_attempts: 4\n  stuck_after: 5m\n"))
	if err != nil {
		t.Fatal(err)
	}
	b := botConfig(cfg, "1:x", "http://localhost", slog.Default())
	want := bot.RetryBudget{Attempts: 4, Age: 10 * time.Minute}
	if b.Retry.Temporary != want || b.Watch.StuckAfter != 5*time.Minute || b.Watch.PendingStale != 2*time.Minute ||
		b.Watch.AlertEvery != time.Hour {
		t.Errorf("retry %+v, watch %+v", b.Retry, b.Watch)
	}
}
