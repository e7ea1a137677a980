package main

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // office_logo_file
	_ "image/png"
	"io"
	"log/slog"
	"net"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"dinsosbot/bot"
	"dinsosbot/flows"
	"dinsosbot/flows/i18n"
	"dinsosbot/flows/region"
	"dinsosbot/store/replica"
)

// Config is the deployment's configuration, read from YAML. Every key is
// documented in config.example.yaml; an unknown key is an error.
type Config struct {
	Telegram TelegramConfig `yaml:"telegram"`
	Database DatabaseConfig `yaml:"database"`
	TimeZone string         `yaml:"time_zone"`
	Language string         `yaml:"language"`
	Office   string         `yaml:"office"`
	Admins   []int64        `yaml:"admins"`
	Send     SendConfig     `yaml:"send"`
	Flood    FloodConfig    `yaml:"flood"`
	Drafts   DraftConfig    `yaml:"drafts"`
	Log      LogConfig      `yaml:"log"`
	MediaDir string         `yaml:"media_dir"`
	HTTP     HTTPConfig     `yaml:"http"`
	Backup   BackupConfig   `yaml:"backup"`
	// Retention: how long sent messages, failed updates, audit details and
	// backups are kept.
	Retention RetentionConfig `yaml:"retention"`
	location  *time.Location  // TimeZone, loaded

	// Replication streams the database and media to a replica
	// (store/replica); off when its url is "".
	Replication ReplicationConfig `yaml:"replication"`

	// Schedules sets reminders and digests; see config_schedules.go.
	Schedules SchedulesConfig `yaml:"schedules"`

	// What another Dinas Sosial changes besides office and admins.

	// RegionsFile is a CSV of the city's kecamatan and kelurahan in the
	// format region.ReadCSV reads; "" is Kota Jambi's built-in list.
	RegionsFile string          `yaml:"regions_file"`
	regions     *region.Catalog // RegionsFile, loaded (or the built-in list)
	// CoordinatorGroups are the group chats (negative ids) where coordinators
	// and admins may use commands.
	CoordinatorGroups []int64 `yaml:"coordinator_groups"`
	// CaseCodePrefix starts every case code: JMB-26-00042.
	CaseCodePrefix string        `yaml:"case_code_prefix"`
	Meetings       MeetingConfig `yaml:"meetings"`

	// NIKEncryption says where the key encrypting NIKs at rest comes from
	// (nikkey.go).
	NIKEncryption NIKEncryptionConfig `yaml:"nik_encryption"`

	// The kop surat and signature of documents the office prints (the
	// daftar hadir).
	OfficeAddress  string          `yaml:"office_address"`
	OfficeLogoFile string          `yaml:"office_logo_file"`
	logo           []byte          // OfficeLogoFile, read and checked
	Signatory      SignatoryConfig `yaml:"signatory"`

	// Standby is the fence and the standby (config_standby.go).
	Standby StandbyConfig `yaml:"standby"`
}

// SignatoryConfig is who signs the daftar hadir under "Mengetahui,".
type SignatoryConfig struct {
	Title string `yaml:"title"`
	Name  string `yaml:"name"`
	NIP   string `yaml:"nip"`
}

// maxLogoBytes bounds office_logo_file: it goes into every daftar hadir.
const maxLogoBytes = 1 << 20

// loadOffice reads and checks the office's logo and the signatory's NIP, so
// that a wrong file or a mistyped NIP stops the bot at start rather than
// spoiling a sheet someone is about to sign.
func (c *Config) loadOffice() error {
	if nip := strings.ReplaceAll(c.Signatory.NIP, " ", ""); nip != "" &&
		(len(nip) != 18 || strings.Trim(nip, "0123456789") != "") {
		return fmt.Errorf("signatory.nip: %q is not a NIP (18 digits; spaces between groups are allowed)", c.Signatory.NIP)
	}
	if c.OfficeLogoFile == "" {
		return nil
	}
	data, err := os.ReadFile(c.OfficeLogoFile)
	if err != nil {
		return fmt.Errorf("office_logo_file: %w", err)
	}
	if len(data) > maxLogoBytes {
		return fmt.Errorf("office_logo_file %s: %d bytes; use a picture under 1 MB", c.OfficeLogoFile, len(data))
	}
	if _, format, err := image.DecodeConfig(bytes.NewReader(data)); err != nil || (format != "png" && format != "jpeg") {
		return fmt.Errorf("office_logo_file %s: not a PNG or JPEG picture", c.OfficeLogoFile)
	}
	c.logo = data
	return nil
}

// TelegramConfig says how to reach the Bot API.
type TelegramConfig struct {
	TokenEnv    string   `yaml:"token_env"`
	APIEndpoint string   `yaml:"api_endpoint"`
	PollTimeout Duration `yaml:"poll_timeout"`
}

// DatabaseConfig says where the SQLite file lives.
type DatabaseConfig struct {
	Path string `yaml:"path"`
}

// SendConfig holds the outgoing rate limits.
type SendConfig struct {
	GlobalPerSecond float64 `yaml:"global_per_second"`
	ChatPerSecond   float64 `yaml:"chat_per_second"`
	ChatBurst       int     `yaml:"chat_burst"`
	GroupPerMinute  float64 `yaml:"group_per_minute"`
	// RetryAttempts and RetryMaxAge bound the retries of a message failing
	// with a 5xx or an answer that is not Telegram's: past either it fails
	// for good (a photo or location is sent as text) and its chat moves on.
	RetryAttempts int      `yaml:"retry_attempts"`
	RetryMaxAge   Duration `yaml:"retry_max_age"`
	// OutageMaxAge bounds the retries of a message whose attempts got no
	// HTTP answer at all (connection refused, timeouts, DNS): an outage
	// counts towards this age only, never towards retry_attempts.
	OutageMaxAge Duration `yaml:"outage_max_age"`
	// PendingStale and StuckAfter: /healthz is degraded when a reply has
	// waited longer, or a chat's next message has failed for longer;
	// AlertEvery is the least time between two alerts of one cause to the
	// admins.
	PendingStale Duration `yaml:"pending_stale"`
	StuckAfter   Duration `yaml:"stuck_after"`
	AlertEvery   Duration `yaml:"alert_every"`
}

// FloodConfig is the per-user flood control of incoming updates.
type FloodConfig struct {
	PerMinute float64 `yaml:"per_minute"`
	Burst     int     `yaml:"burst"`
}

// DraftConfig sets when unfinished forms are reminded and expire.
type DraftConfig struct {
	ExpireAfter  Duration `yaml:"expire_after"`
	RemindBefore Duration `yaml:"remind_before"`
}

// HTTPConfig is the optional operations listener (/healthz, /metrics).
type HTTPConfig struct {
	// Listen is the address ("127.0.0.1:9090"); "" turns the listener off.
	Listen string `yaml:"listen"`
	// PollStale: /healthz answers 503 when getUpdates has not succeeded for
	// longer; 0 takes the runtime's default (2×poll_timeout, at least 2m).
	PollStale Duration `yaml:"poll_stale"`
}

// BackupConfig sets the scheduled backups to a folder.
type BackupConfig struct {
	// Dir is the folder; "" turns scheduled backups off.
	Dir string `yaml:"dir"`
	// Keep is how many of the newest copies stay; 0 keeps all.
	Keep int `yaml:"keep"`
	// Schedule is a cron expression in time_zone.
	Schedule string `yaml:"schedule"`
}

// RetentionConfig sets the retention job (flows.Retention).
type RetentionConfig struct {
	// Days: sent messages' texts, failed updates, audit details and backups
	// older than this are scrubbed or deleted.
	Days int `yaml:"days"`
	// Schedule is the daily job's cron expression in time_zone, or off.
	Schedule string `yaml:"schedule"`
}

func (r RetentionConfig) validate() error {
	if r.Days < 7 || r.Days > 3650 {
		return fmt.Errorf("retention.days: %d must be 7 to 3650 days", r.Days)
	}
	if r.Schedule == flows.Off {
		return nil
	}
	if err := bot.ValidateSpec(r.Schedule); err != nil {
		return fmt.Errorf("retention.schedule: %q is not a cron expression (five fields, like \"30 3 * * *\" for 03.30 every day, or off): %v", r.Schedule, err)
	}
	return nil
}

// ReplicationConfig is the replication section (store/replica.Config).
type ReplicationConfig struct {
	URL              string   `yaml:"url"`
	Endpoint         string   `yaml:"endpoint"`
	Region           string   `yaml:"region"`
	AccessKeyEnv     string   `yaml:"access_key_env"`
	SecretKeyEnv     string   `yaml:"secret_key_env"`
	SyncInterval     Duration `yaml:"sync_interval"`
	SnapshotInterval Duration `yaml:"snapshot_interval"`
	Retention        Duration `yaml:"retention"`
	Confirm          string   `yaml:"confirm"`
	MaxLag           Duration `yaml:"max_lag"`
}

// replica maps the section to the replicator's configuration.
func (r ReplicationConfig) replica() replica.Config {
	return replica.Config{URL: r.URL, Endpoint: r.Endpoint, Region: r.Region, AccessKeyEnv: r.AccessKeyEnv,
		SecretKeyEnv: r.SecretKeyEnv, SyncInterval: time.Duration(r.SyncInterval),
		SnapshotInterval: time.Duration(r.SnapshotInterval), Retention: time.Duration(r.Retention),
		Confirm: r.Confirm, MaxLag: time.Duration(r.MaxLag)}.WithDefaults()
}

// MeetingConfig sets what every new meeting gets.
type MeetingConfig struct {
	// CheckinLead is how long before the start check-in opens.
	CheckinLead Duration `yaml:"checkin_lead"`
}

// LogConfig sets the log's level and format.
type LogConfig struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Duration is a time.Duration written as "50s" or "24h" in YAML.
type Duration time.Duration

// UnmarshalYAML parses a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration (write it like 50s, 10m or 24h)", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// defaultConfig is Kota Jambi's deployment, used for every key a file leaves out.
func defaultConfig() Config {
	return Config{
		Telegram: TelegramConfig{
			TokenEnv:    "TELEGRAM_BOT_TOKEN",
			APIEndpoint: "https://api.telegram.org",
			PollTimeout: Duration(50 * time.Second),
		},
		Database: DatabaseConfig{Path: "dinsosbot.db"},
		TimeZone: "Asia/Jakarta",
		Language: "id",
		// Office "" is "Dinas Sosial " and the city of the regions list
		// (flows.New), so a city that sets only regions_file gets its own name.
		Office:    "",
		Send:      defaultSend(),
		Flood:     FloodConfig{PerMinute: 60, Burst: 30},
		Drafts:    DraftConfig{ExpireAfter: Duration(24 * time.Hour), RemindBefore: Duration(2 * time.Hour)},
		Log:       LogConfig{Level: "info", Format: "text"},
		MediaDir:  "media",
		Backup:    BackupConfig{Keep: 14, Schedule: "0 2 * * *"},
		Retention: RetentionConfig{Days: flows.DefaultRetentionDays, Schedule: "30 3 * * *"},
		Replication: ReplicationConfig{Region: "us-east-1", AccessKeyEnv: "LITESTREAM_ACCESS_KEY_ID",
			SecretKeyEnv: "LITESTREAM_SECRET_ACCESS_KEY", SyncInterval: Duration(time.Second),
			SnapshotInterval: Duration(24 * time.Hour), Retention: Duration(72 * time.Hour), Confirm: "wait",
			MaxLag: Duration(10 * time.Second)},

		CaseCodePrefix: flows.DefaultCaseCodePrefix,
		Meetings:       MeetingConfig{CheckinLead: Duration(flows.DefaultCheckinLead)},

		Schedules: defaultSchedules(),
	}
}

// defaultSend is Telegram's documented limits and the delivery budgets.
func defaultSend() SendConfig {
	return SendConfig{GlobalPerSecond: 30, ChatPerSecond: 1, ChatBurst: 1, GroupPerMinute: 20,
		RetryAttempts: 8, RetryMaxAge: Duration(10 * time.Minute), OutageMaxAge: Duration(6 * time.Hour),
		PendingStale: Duration(2 * time.Minute), StuckAfter: Duration(2 * time.Minute), AlertEvery: Duration(time.Hour)}
}

// LoadConfig reads path over the defaults; path "" means defaults only. Errors
// name the file, the key and what is wrong.
func LoadConfig(path string) (Config, error) {
	cfg := defaultConfig()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("config: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		// An empty file means all defaults.
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return Config{}, withoutToken(fmt.Errorf("config %s: %s", path, cleanYAMLError(err)))
		}
	}
	if err := cfg.validate(); err != nil {
		if path == "" {
			return Config{}, withoutToken(fmt.Errorf("config: %w", err))
		}
		return Config{}, withoutToken(fmt.Errorf("config %s: %w", path, err))
	}
	return cfg, nil
}

// botTokenRE matches a bot token as @BotFather gives it (123456789:AAH...).
var botTokenRE = regexp.MustCompile(`\d+:[A-Za-z0-9_-]{30,}`)

// envNameRE is an environment variable's name as a shell accepts it.
var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// looksLikeToken reports whether s is a bot token, or its secret half pasted
// alone: 30 or more characters mixing lower- and upper-case letters and
// digits, which no one names a variable.
func looksLikeToken(s string) bool {
	if botTokenRE.MatchString(s) {
		return true
	}
	return len(s) >= 30 && strings.ContainsFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' }) &&
		strings.ContainsFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' }) &&
		strings.ContainsFunc(s, func(r rune) bool { return r >= '0' && r <= '9' })
}

// withoutToken hides any bot token in err's text: a token pasted under the
// wrong key must not reach the terminal or a log through the error that
// quotes the key's value.
func withoutToken(err error) error {
	if msg := err.Error(); botTokenRE.MatchString(msg) {
		return errors.New(botTokenRE.ReplaceAllString(msg, "<token>"))
	}
	return err
}

// cleanYAMLError turns the decoder's "yaml: unmarshal errors:\n  line 3: field
// foo not found in type main.TelegramConfig" into words an operator can act on.
func cleanYAMLError(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if j := strings.Index(l, " not found in type "); j >= 0 {
			head, key, _ := strings.Cut(l[:j], "field ")
			l = fmt.Sprintf("%sunknown key %q (not a setting; see config.example.yaml)", head, key)
		}
		lines[i] = l
	}
	return strings.Join(lines, "; ")
}

func (c *Config) validate() error {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil || c.TimeZone == "" {
		return fmt.Errorf("time_zone: %q is not a known time zone (for Indonesia: Asia/Jakarta, Asia/Makassar or Asia/Jayapura)", c.TimeZone)
	}
	c.location = loc
	checks := []struct {
		bad bool
		msg string
	}{
		{c.Telegram.TokenEnv == "", "telegram.token_env: must name an environment variable"},
		// Checked before the name's shape, and never echoed: main prints
		// the name ("X is not set"), and a pasted token would follow it.
		{looksLikeToken(c.Telegram.TokenEnv), "telegram.token_env must name an environment variable, not hold the token: " +
			"put the token in an environment variable (for example TELEGRAM_BOT_TOKEN) and write that variable's name here " +
			"(the value is not shown here, so it stays out of logs)"},
		{!envNameRE.MatchString(c.Telegram.TokenEnv),
			"telegram.token_env: must name an environment variable (letters, digits and _, like TELEGRAM_BOT_TOKEN)"},
		{botTokenRE.MatchString(c.Telegram.APIEndpoint), "telegram.api_endpoint: must be the Bot API's address without " +
			"the token (like https://api.telegram.org); the token goes in the variable named by telegram.token_env"},
		{!strings.HasPrefix(c.Telegram.APIEndpoint, "http://") && !strings.HasPrefix(c.Telegram.APIEndpoint, "https://"),
			fmt.Sprintf("telegram.api_endpoint: %q must start with http:// or https://", c.Telegram.APIEndpoint)},
		{c.Telegram.PollTimeout < Duration(time.Second) || c.Telegram.PollTimeout > Duration(10*time.Minute),
			"telegram.poll_timeout: must be between 1s and 10m"},
		{c.Database.Path == "", "database.path: must not be empty"},
		{c.Language != "id" && c.Language != "en", fmt.Sprintf("language: %q is not supported (id or en)", c.Language)},
		{c.Send.GlobalPerSecond <= 0, "send.global_per_second: must be above 0"},
		{c.Send.ChatPerSecond <= 0, "send.chat_per_second: must be above 0"},
		{c.Send.ChatBurst < 1, "send.chat_burst: must be at least 1"},
		{c.Send.GroupPerMinute <= 0, "send.group_per_minute: must be above 0"},
		{c.Send.RetryAttempts < 1, "send.retry_attempts: must be at least 1"},
		{c.Send.RetryMaxAge <= 0, "send.retry_max_age: must be above 0"},
		{c.Send.OutageMaxAge <= 0, "send.outage_max_age: must be above 0"},
		{c.Send.PendingStale <= 0 || c.Send.StuckAfter <= 0 || c.Send.AlertEvery <= 0,
			"send.pending_stale, send.stuck_after and send.alert_every: must be above 0"},
		{c.Flood.PerMinute <= 0, "flood.per_minute: must be above 0"},
		{c.Flood.Burst < 1, "flood.burst: must be at least 1"},
		{c.Drafts.ExpireAfter < Duration(time.Minute), "drafts.expire_after: must be at least 1m"},
		{c.Drafts.RemindBefore <= 0 || c.Drafts.RemindBefore >= c.Drafts.ExpireAfter,
			"drafts.remind_before: must be above 0 and below drafts.expire_after"},
		{c.Log.Format != "text" && c.Log.Format != "json", fmt.Sprintf("log.format: %q is not text or json", c.Log.Format)},
		{!casePrefixRE.MatchString(c.CaseCodePrefix),
			fmt.Sprintf("case_code_prefix: %q must be 2 to 6 capital letters A-Z, like JMB", c.CaseCodePrefix)},
		// The store keeps the lead in whole minutes, and reads 0 as 60.
		{c.Meetings.CheckinLead < Duration(time.Minute) || c.Meetings.CheckinLead > Duration(24*time.Hour) ||
			c.Meetings.CheckinLead%Duration(time.Minute) != 0,
			fmt.Sprintf("meetings.checkin_lead: %s must be whole minutes from 1m to 24h", time.Duration(c.Meetings.CheckinLead))},
	}
	for _, ch := range checks {
		if ch.bad {
			return errors.New(ch.msg)
		}
	}
	for i, id := range c.Admins {
		if id <= 0 {
			return fmt.Errorf("admins[%d]: %d is not a Telegram user id", i, id)
		}
	}
	for i, id := range c.CoordinatorGroups {
		switch {
		case id >= 0:
			return fmt.Errorf("coordinator_groups[%d]: %d is not a group chat id (group ids are negative, like -1001234567890)", i, id)
		case slices.Contains(c.CoordinatorGroups[:i], id):
			return fmt.Errorf("coordinator_groups[%d]: %d is listed twice", i, id)
		}
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.Log.Level)); err != nil {
		return fmt.Errorf("log.level: %q is not debug, info, warn or error", c.Log.Level)
	}
	if c.regions, err = loadRegions(c.RegionsFile); err != nil {
		return err
	}
	if err := c.loadOffice(); err != nil {
		return err
	}
	if err := c.HTTP.validate(c.Telegram.PollTimeout); err != nil {
		return err
	}
	if err := c.Backup.validate(); err != nil {
		return err
	}
	if err := c.Retention.validate(); err != nil {
		return err
	}
	if err := c.NIKEncryption.validate(); err != nil {
		return err
	}
	if err := c.Replication.replica().Validate(); err != nil {
		return err
	}
	if err := c.Standby.validate(); err != nil {
		return err
	}
	return c.Schedules.validate()
}

// casePrefixRE: case codes are read aloud and typed back (/hapus_kasus), so
// the prefix is a few plain capital letters.
var casePrefixRE = regexp.MustCompile(`^[A-Z]{2,6}$`)

// loadRegions reads the regions_file CSV, or returns the built-in Kota Jambi
// list for "". A file that cannot be read or has a bad row, a duplicate code
// or a kelurahan without its kecamatan stops the bot at start.
func loadRegions(path string) (*region.Catalog, error) {
	if path == "" {
		return region.KotaJambi(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("regions_file: %w", err)
	}
	defer f.Close()
	cat, err := region.ReadCSV(f)
	if err != nil {
		return nil, fmt.Errorf("regions_file %s: %w (see flows/region/data/kota_jambi_wilayah.csv for the format)", path, err)
	}
	return cat, nil
}

func (h HTTPConfig) validate(pollTimeout Duration) error {
	if h.Listen != "" {
		host, port, err := net.SplitHostPort(h.Listen)
		n, perr := strconv.Atoi(port)
		if err != nil || perr != nil || n < 0 || n > 65535 || strings.ContainsAny(host, " /") {
			return fmt.Errorf("http.listen: %q is not host:port (for example 127.0.0.1:9090; leave it empty to turn the listener off)", h.Listen)
		}
	}
	if h.PollStale != 0 && h.PollStale <= pollTimeout {
		return fmt.Errorf("http.poll_stale: %s must be longer than telegram.poll_timeout (%s), or 0 for the default",
			time.Duration(h.PollStale), time.Duration(pollTimeout))
	}
	return nil
}

func (b BackupConfig) validate() error {
	if b.Keep < 0 {
		return fmt.Errorf("backup.keep: %d must be 0 (keep all) or more", b.Keep)
	}
	if b.Dir == "" {
		return nil
	}
	if b.Schedule == "" || b.Schedule == flows.Off {
		return fmt.Errorf("backup.schedule: must be a cron expression when backup.dir is set (leave dir empty to turn backups off)")
	}
	if err := bot.ValidateSpec(b.Schedule); err != nil {
		return fmt.Errorf("backup.schedule: %q is not a cron expression (five fields, like \"0 2 * * *\" for 02.00 every day): %v", b.Schedule, err)
	}
	return nil
}

// flows maps the validated backup settings to the flows' configuration.
func (b BackupConfig) flows() flows.Backups {
	return flows.Backups{Dir: b.Dir, Keep: b.Keep, Spec: b.Schedule}
}

// Location is the configured time zone.
func (c Config) Location() *time.Location { return c.location }

// Regions is the loaded kecamatan and kelurahan list.
func (c Config) Regions() *region.Catalog { return c.regions }

// flows maps the validated configuration to the flows' for the bot called
// username.
func (c Config) flows(username string) flows.Config {
	return flows.Config{
		BotUsername:       username,
		Office:            c.Office,
		DefaultLang:       i18n.Parse(c.Language, i18n.ID),
		Admins:            c.Admins,
		Location:          c.Location(),
		Regions:           c.Regions(),
		DraftExpiry:       time.Duration(c.Drafts.ExpireAfter),
		ReminderLead:      time.Duration(c.Drafts.RemindBefore),
		CoordinatorGroups: c.CoordinatorGroups,
		CaseCodePrefix:    c.CaseCodePrefix,
		CheckinLead:       time.Duration(c.Meetings.CheckinLead),
		Schedules:         c.Schedules.flows(),
		Backups:           c.Backup.flows(),
		Retention:         flows.Retention{Days: c.Retention.Days, Spec: c.Retention.Schedule},
		MediaDir:          c.MediaDir,
		OfficeAddress:     c.OfficeAddress,
		OfficeLogo:        c.logo,
		Signatory:         flows.Signatory{Title: c.Signatory.Title, Name: c.Signatory.Name, NIP: c.Signatory.NIP},
	}
}

// Logger builds the configured logger writing to w. Every line passes
// through bot.RedactingHandler: no token, full NIK or phone number is written.
func (c Config) Logger(w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.Log.Level)) // validated in LoadConfig
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if c.Log.Format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(bot.NewRedactingHandler(h))
}
