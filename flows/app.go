package flows

import (
	"fmt"
	"html"
	"slices"
	"strconv"
	"time"

	"dinsosbot/flows/i18n"
	"dinsosbot/flows/region"
	"dinsosbot/store"
)

// Defaults of Config's fields that the deployment's configuration also
// offers, named once so that main's defaults and New's cannot drift apart.
const (
	DefaultCaseCodePrefix = "JMB"
	DefaultCheckinLead    = time.Hour
)

// Config is what the flows need from the deployment's configuration.
type Config struct {
	// BotUsername is the bot's Telegram username (without @), for deep links.
	BotUsername string
	// Office is the name of the office shown in greetings; default "Dinas
	// Sosial " and the city of Regions, so a city that configures only its
	// regions is not greeted as Kota Jambi.
	Office string
	// DefaultLang is used for users who have not chosen one; default Indonesian.
	DefaultLang i18n.Lang
	// Admins are seeded as admins by Telegram user id on their first message.
	Admins []int64
	// Location is the time zone every date is shown in; default Asia/Jakarta
	// (WIB), or UTC+7 when the zone database is missing.
	Location *time.Location
	// Regions are the kecamatan and kelurahan workers choose from; default
	// Kota Jambi's 11 kecamatan and 68 kelurahan.
	Regions *region.Catalog
	// DraftExpiry is how long an untouched draft lives; default 24 h.
	DraftExpiry time.Duration
	// ReminderLead is how long before expiry the one reminder goes out; default
	// 2 h. A lead not shorter than DraftExpiry means no reminder.
	ReminderLead time.Duration
	// CoordinatorGroups are group chats where coordinators and admins may use
	// commands; in any other group the bot only points to a private chat.
	CoordinatorGroups []int64
	// CaseCodePrefix starts every case code (JMB-26-00042); default
	// DefaultCaseCodePrefix. The caller validates it (main: 2 to 6 capital
	// letters).
	CaseCodePrefix string
	// CheckinLead is how long before a meeting's start its check-in opens;
	// default DefaultCheckinLead (60 min). Each meeting keeps the lead it was
	// created with, so a change applies to meetings created afterwards.
	CheckinLead time.Duration
	// Schedules sets when reminders and digests run; zero fields take the
	// defaults documented on Schedules.
	Schedules Schedules
	// Backups sets the scheduled backups to a folder; the zero value takes
	// none (see Backups).
	Backups Backups
	// Retention sets how long sent messages, failed updates, audit details
	// and backups are kept; the zero value takes the defaults (see Retention).
	Retention Retention
	// MediaDir is the folder case photos are downloaded into (bot.MediaConfig.Dir);
	// "" when photos are not downloaded, and /ekspor offers no photo ZIP.
	MediaDir string
	// MediaMirror, when set (replication on), is told of every photo folder
	// an erasure removes, to remove it from the replica too.
	MediaMirror MediaMirror

	// OfficeAddress is printed under the office's name in the kop surat of
	// the documents an office prints and signs (the daftar hadir); "" prints
	// none.
	OfficeAddress string
	// OfficeLogo is the office's logo in that kop surat, PNG or JPEG bytes;
	// nil prints none. main reads and checks office_logo_file at start.
	OfficeLogo []byte
	// Signatory signs the daftar hadir under "Mengetahui,".
	Signatory Signatory
}

// Signatory is who signs an office's documents. An empty Title is "Kepala "
// and the office's name; an empty Name or NIP is a dotted line, filled in by
// hand.
type Signatory struct {
	Title, Name, NIP string
}

// App handles events. It holds no mutable state of its own (everything is in the
// store) but counters for monitoring (FlowCounts), and the runtime calls it one
// update at a time, in order.
type App struct {
	cfg      Config
	flows    map[string]*Flow
	commands map[string]*command
	order    []string  // command names in menu order
	stats    flowStats // ended conversations, for the runtime's metrics
}

// New returns an App for cfg; zero fields take Kota Jambi's defaults. It panics
// when a built-in flow or command declaration is broken: that is a programming
// error that must stop the bot at start, not surface in a user's chat.
func New(cfg Config) *App {
	if cfg.DefaultLang == "" {
		cfg.DefaultLang = i18n.ID
	}
	if cfg.Location == nil {
		loc, err := time.LoadLocation("Asia/Jakarta")
		if err != nil {
			loc = time.FixedZone("WIB", 7*3600)
		}
		cfg.Location = loc
	}
	if cfg.Regions == nil {
		cfg.Regions = region.KotaJambi()
	}
	if cfg.Office == "" {
		// Derived rather than written out, so the one place naming the city
		// is the regions list (Kota Jambi's by default).
		cfg.Office = "Dinas Sosial " + cfg.Regions.City
	}
	if cfg.CaseCodePrefix == "" {
		cfg.CaseCodePrefix = DefaultCaseCodePrefix
	}
	if cfg.CheckinLead <= 0 {
		cfg.CheckinLead = DefaultCheckinLead
	}
	if cfg.DraftExpiry <= 0 {
		cfg.DraftExpiry = 24 * time.Hour
	}
	if cfg.ReminderLead <= 0 {
		cfg.ReminderLead = 2 * time.Hour
	}
	cfg.Schedules = cfg.Schedules.withDefaults()
	a := &App{cfg: cfg, flows: map[string]*Flow{}, commands: map[string]*command{}}
	for _, f := range []*Flow{a.registrationFlow(), a.profileFlow(), a.inviteFlow(), a.meetingFlow(), a.meetingMoveFlow(), a.checkinFlow(),
		a.caseFlow(), a.caseNoteFlow(), a.rsvpReasonFlow(), a.broadcastFlow(), a.exportFlow(), a.digestFlow()} {
		if err := a.AddFlow(f); err != nil {
			panic(err)
		}
	}
	for _, cmd := range a.builtinCommands() {
		if err := a.addCommand(cmd); err != nil {
			panic(err)
		}
	}
	return a
}

// AddFlow validates f and makes it available to commands. It fails on a broken
// declaration or a name already taken.
func (a *App) AddFlow(f *Flow) error {
	if err := f.validate(); err != nil {
		return fmt.Errorf("add flow: %w", err)
	}
	if _, dup := a.flows[f.Name]; dup {
		return fmt.Errorf("add flow: %s declared twice", f.Name)
	}
	a.flows[f.Name] = f
	return nil
}

// Handle decides what ev means and writes its effects and replies in tx. Every
// callback query is answered, whatever happens.
func (a *App) Handle(tx *store.Tx, ev Event) error {
	if ev.Kind == EventMember {
		return a.memberChanged(tx, ev)
	}
	if ev.UserID == 0 {
		return nil // channel posts and service messages have no person to answer
	}
	user, err := tx.TouchUser(ev.UserID, ev.FirstName, ev.Username)
	if err != nil {
		return fmt.Errorf("handle update %d: %w", ev.UpdateID, err)
	}
	c := &Ctx{Tx: tx, Ev: ev, app: a}
	if user, err = a.seedAdmin(c, user); err != nil {
		return fmt.Errorf("handle update %d: %w", ev.UpdateID, err)
	}
	c.User, c.Lang = user, a.lang(user)
	if err := a.dispatch(c); err != nil {
		return fmt.Errorf("handle update %d: %w", ev.UpdateID, err)
	}
	if err := c.Answer(""); err != nil {
		return fmt.Errorf("handle update %d: %w", ev.UpdateID, err)
	}
	return nil
}

func (a *App) dispatch(c *Ctx) error {
	ev := c.Ev
	if ev.Private() {
		if err := c.Tx.NotePrivateChat(c.User.ID); err != nil {
			return err
		}
	}
	if c.User.Status == store.UserBlocked {
		if ev.Private() {
			// Access and erasure (UU 27/2022) are the person's rights,
			// whatever an admin decided about their account.
			if cmd, ok := a.commands[ev.Command]; ok && cmd.right && ev.Kind == EventMessage {
				return cmd.run(c, nil)
			}
			if ev.Kind == EventCallback && isRightButton(ev.CallbackData) {
				return a.onCallback(c)
			}
		}
		// One short message, then silence (a callback is still answered,
		// empty, by Handle).
		if ev.Kind != EventCallback && !ev.Private() {
			return nil
		}
		if first, err := c.Tx.NoteBlockedNotice(c.User.ID); err != nil || !first {
			return err
		}
		if ev.Kind == EventCallback {
			return c.Answer(c.T("auth.blocked"))
		}
		return c.Reply(c.T("auth.blocked"))
	}
	if !ev.Private() && !(slices.Contains(a.cfg.CoordinatorGroups, ev.ChatID) && isStaff(c.User)) {
		switch {
		case ev.Kind == EventCallback:
			return a.stale(c)
		case ev.Command != "":
			return c.Reply(c.T("group.private", "link", a.deepLink("")))
		}
		return nil
	}
	if ev.Kind == EventCallback {
		if !ev.Private() {
			return a.onGroupCallback(c)
		}
		return a.onCallback(c)
	}
	if ev.Command != "" {
		return a.onCommand(c)
	}
	s, open, err := a.loadSession(c)
	if err != nil {
		return err
	}
	if !ev.Private() {
		if open && a.flowInGroup(s.flow) {
			return a.onMessage(c, s)
		}
		return nil
	}
	if open {
		return a.onMessage(c, s)
	}
	if c.User.Status == store.UserNew || c.User.Status == store.UserRejected {
		return c.Reply(c.T("hint.register"))
	}
	return c.Reply(c.T("hint.unknown"))
}

// isRightButton: the buttons of /hapus_data_saya, which a blocked person may
// still press (onEraseMe checks that the button is their own).
func isRightButton(data string) bool {
	cb, err := ParseCallback(data)
	return err == nil && cb.Kind == cbAdmin && (cb.Op == opEraseMe || cb.Op == opEraseKeep)
}

// onGroupCallback handles a button pressed in a coordinators' group. Only
// buttons whose result names no one act there (the language picker, a flow
// run in the group); any other (a case, a user card, an approval, forged or
// left from before) is refused with a note only the presser sees.
func (a *App) onGroupCallback(c *Ctx) error {
	cb, err := ParseCallback(c.Ev.CallbackData)
	if err != nil {
		return a.onCallback(c) // audited as a bad button
	}
	switch cb.Kind {
	case cbLanguage:
		return a.onCallback(c)
	case cbFlow:
		s, open, err := a.loadSession(c)
		if err != nil {
			return err
		}
		if !open || a.flowInGroup(s.flow) {
			return a.onCallback(c)
		}
	}
	return c.Answer(c.T("group.button_private"))
}

func (a *App) onCallback(c *Ctx) error {
	cb, err := ParseCallback(c.Ev.CallbackData)
	if err != nil {
		if err := c.Tx.AuditLimited(c.User.ID, "bad_callback", clip(c.Ev.CallbackData, 64)); err != nil {
			return err
		}
		return a.stale(c)
	}
	switch cb.Kind {
	case cbFlow:
		return a.onFlowCallback(c, cb)
	case cbApproval:
		if !isAdmin(c.User) {
			return a.deny(c, "approve")
		}
		return a.decide(c, cb)
	case cbLanguage:
		return a.chooseLanguage(c, cb.Arg)
	case cbMeeting:
		return a.onMeetingCallback(c, cb)
	case cbCase:
		return a.onCaseCallback(c, cb)
	case cbAdmin:
		return a.onAdminCallback(c, cb)
	}
	return a.stale(c)
}

// Apologize tells the user that their update could not be handled; the runtime
// calls it after Handle failed and its writes were rolled back.
func (a *App) Apologize(tx *store.Tx, ev Event) error {
	if ev.ChatID == 0 {
		return nil
	}
	user, _, err := tx.GetUser(ev.UserID)
	if err != nil {
		return fmt.Errorf("apologize: %w", err)
	}
	c := &Ctx{Tx: tx, Ev: ev, User: user, Lang: a.lang(user), app: a}
	if err := c.Answer(c.T("error.apology")); err != nil {
		return fmt.Errorf("apologize: %w", err)
	}
	if ev.Kind == EventCallback {
		return nil
	}
	if err := c.Reply(c.T("error.apology")); err != nil {
		return fmt.Errorf("apologize: %w", err)
	}
	return nil
}

func (a *App) memberChanged(tx *store.Tx, ev Event) error {
	if !ev.Private() {
		return nil
	}
	gone := ev.MemberStatus == "kicked" || ev.MemberStatus == "left"
	if _, err := tx.TouchUser(ev.UserID, ev.FirstName, ev.Username); err != nil {
		return fmt.Errorf("member change: %w", err)
	}
	return tx.SetUnreachable(ev.UserID, gone)
}

func (a *App) lang(u store.User) i18n.Lang {
	if u.Language != "" {
		return i18n.Parse(u.Language, a.cfg.DefaultLang)
	}
	return a.cfg.DefaultLang
}

func (a *App) deepLink(payload string) string {
	link := "https://t.me/" + a.cfg.BotUsername
	if payload != "" {
		link += "?start=" + payload
	}
	return html.EscapeString(link)
}

// formatTime shows t in the configured zone, as people there read it.
func (a *App) formatTime(t time.Time) string {
	return t.In(a.cfg.Location).Format("02-01-2006 15.04 MST")
}

func itoa(n int) string { return strconv.Itoa(n) }
