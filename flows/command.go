package flows

import (
	"fmt"
	"html"
	"slices"

	"dinsosbot/flows/engine"
	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// command is a slash command with who may use it. The gate (allow) is checked in
// onCommand before anything runs, and again by the engine (authorized) at every
// step of the flows listed in gates.
type command struct {
	name    string
	aliases []string
	// allow says who may run it; nil means everyone who is not blocked.
	allow func(u store.User) bool
	// gates names the flows that stay under allow while open: a role can be
	// taken away between the command and the final "Simpan", and checking only
	// at the command would let a draft outlive the right that opened it.
	gates []string
	// opensFlow commands are refused while another flow is open, so a half-typed
	// draft is never dropped by a stray command.
	opensFlow bool
	// menu is the catalogue key of its description in the command menu; "" hides it.
	menu string
	// group says what it does when sent in a coordinators' group; every
	// command must decide (addCommand refuses GroupUndecided).
	group GroupPolicy
	// right marks the data subject's rights under UU 27/2022 (access,
	// erasure): a blocked person may still use it in a private chat.
	right bool
	run   func(c *Ctx, s *session) error
}

// GroupPolicy is what a command does when a coordinator or admin sends it in a
// coordinators' group (Config.CoordinatorGroups), where everyone in the group
// reads the answer. Anything naming a person (a PMKS's name, NIK, address, a
// worker's phone, lists of cases or users, exports, backups, the audit log)
// must not be answered there.
type GroupPolicy int

const (
	// GroupUndecided is the zero value, refused when a command is added: the
	// choice is made explicitly for every command.
	GroupUndecided GroupPolicy = iota
	// GroupAnswer: answered in the group; for commands whose answer names no
	// one (help, language, counts).
	GroupAnswer
	// GroupPrivate: run in the sender's private chat, and the group is told
	// so (or told to open a private chat first when the bot cannot write
	// there yet).
	GroupPrivate
	// GroupRefuse: refused in the group with the reason and a link to the
	// private chat; nothing runs.
	GroupRefuse
)

func (p GroupPolicy) String() string {
	switch p {
	case GroupAnswer:
		return "answer"
	case GroupPrivate:
		return "private"
	case GroupRefuse:
		return "refuse"
	}
	return "undecided"
}

func (a *App) addCommand(cmd *command) error {
	if cmd.group < GroupAnswer || cmd.group > GroupRefuse {
		return fmt.Errorf("command %s: no decision for coordinators' groups (GroupPolicy)", cmd.name)
	}
	if cmd.menu != "" {
		if err := engine.NeedKey(cmd.menu); err != nil {
			return fmt.Errorf("command %s: %w", cmd.name, err)
		}
	}
	for _, name := range cmd.gates {
		if _, ok := a.flows[name]; !ok {
			return fmt.Errorf("command %s: gates unknown flow %s", cmd.name, name)
		}
		if g := a.gates[name]; g != nil {
			// Two rules for one flow would make the gate depend on which
			// command happened to be declared last.
			return fmt.Errorf("command %s: flow %s is already gated by /%s", cmd.name, name, g.name)
		}
	}
	for _, n := range append([]string{cmd.name}, cmd.aliases...) {
		if _, dup := a.commands[n]; dup {
			return fmt.Errorf("command %s declared twice", n)
		}
		a.commands[n] = cmd
	}
	for _, name := range cmd.gates {
		a.gates[name] = cmd
	}
	a.order = append(a.order, cmd.name)
	return nil
}

func isActive(u store.User) bool { return u.Status == store.UserActive }

func isAdmin(u store.User) bool { return isActive(u) && u.Role == store.RoleAdmin }

// isStaff: coordinators and admins.
func isStaff(u store.User) bool {
	return isActive(u) && (u.Role == store.RoleAdmin || u.Role == store.RoleCoordinator)
}

// isRegistered: anyone whose registration was approved.
func isRegistered(u store.User) bool { return isActive(u) && u.Role != store.RoleNone }

func (a *App) builtinCommands() []*command {
	return []*command{
		{name: "start", group: GroupPrivate, menu: "cmd.start", run: a.cmdStart},
		{name: "profil", aliases: []string{"profile"}, allow: isRegistered, group: GroupPrivate, menu: "cmd.profile", run: a.cmdProfile},
		{name: "ubah", aliases: []string{"edit"}, allow: isRegistered, group: GroupPrivate, opensFlow: true, menu: "cmd.edit", run: a.cmdEdit,
			gates: []string{"profile"}},
		{name: "undang", aliases: []string{"invite"}, allow: isAdmin, group: GroupPrivate, opensFlow: true, menu: "cmd.invite", run: a.cmdInvite,
			gates: []string{"invite"}},
		{name: "rapat_baru", aliases: []string{"new_meeting"}, allow: isStaff, group: GroupPrivate, opensFlow: true, menu: "cmd.meeting_new", run: a.cmdNewMeeting,
			// Moving a meeting (opened from "/rapat <id> pindah") is organising
			// one: /rapat itself is open to every worker.
			gates: []string{"meeting", meetingMoveFlowName}},
		{name: "rapat", aliases: []string{"meetings"}, allow: isRegistered, group: GroupPrivate, menu: "cmd.meetings", run: a.cmdMeetings},
		{name: "hadir", aliases: []string{"present"}, allow: isStaff, group: GroupPrivate, menu: "cmd.present", run: a.cmdMarkPresent},
		{name: "lapor", aliases: []string{"report"}, allow: isRegistered, group: GroupPrivate, opensFlow: true, menu: "cmd.report", run: a.cmdReport,
			gates: []string{caseFlowName}},
		{name: "kasus", aliases: []string{"cases"}, allow: isRegistered, group: GroupPrivate, menu: "cmd.cases", run: a.cmdCases},
		{name: "formulir", aliases: []string{"forms"}, allow: isRegistered, group: GroupPrivate, menu: "cmd.forms", run: a.cmdForms},
		{name: "verifikasi", aliases: []string{"verify"}, allow: isStaff, group: GroupPrivate, menu: "cmd.queue", run: a.cmdQueue,
			// The review note is opened by the queue's buttons.
			gates: []string{caseNoteFlowName}},
		{name: "ringkasan", aliases: []string{"digest"}, allow: isStaff, group: GroupPrivate, menu: "cmd.digest", run: a.cmdDigest,
			gates: []string{digestFlowName}},
		{name: "bahasa", aliases: []string{"language"}, group: GroupAnswer, menu: "cmd.language", run: a.cmdLanguage},
		{name: "bantuan", aliases: []string{"help"}, group: GroupAnswer, menu: "cmd.help", run: a.cmdHelp},
		{name: "batal", aliases: []string{"cancel"}, group: GroupAnswer, menu: "cmd.cancel", run: a.cmdCancel},
		{name: "kembali", aliases: []string{"back"}, group: GroupAnswer, run: a.cmdBack},
		{name: "lewati", aliases: []string{"skip"}, group: GroupAnswer, run: a.cmdSkip},
		{name: "pengguna", aliases: []string{"users"}, allow: isAdmin, group: GroupPrivate, menu: "cmd.users", run: a.cmdUsers},
		{name: "siaran", aliases: []string{"broadcast"}, allow: isStaff, group: GroupPrivate, opensFlow: true, menu: "cmd.broadcast", run: a.cmdBroadcast,
			gates: []string{"broadcast"}},
		{name: "ekspor", aliases: []string{"export"}, allow: isStaff, group: GroupPrivate, opensFlow: true, menu: "cmd.export", run: a.cmdExport,
			gates: []string{"export"}},
		{name: "statistik", aliases: []string{"stats"}, allow: isStaff, group: GroupAnswer, menu: "cmd.stats", run: a.cmdStats},
		{name: "cadangan", aliases: []string{"backup"}, allow: isAdmin, group: GroupPrivate, menu: "cmd.backup", run: a.cmdBackup},
		{name: "audit", allow: isAdmin, group: GroupPrivate, menu: "cmd.audit", run: a.cmdAudit},
		{name: "hapus_kasus", aliases: []string{"erase_case"}, allow: isAdmin, group: GroupRefuse, run: a.cmdEraseCase},
		{name: "data_saya", aliases: []string{"my_data"}, group: GroupPrivate, right: true, menu: "cmd.my_data", run: a.cmdMyData},
		{name: "hapus_data_saya", aliases: []string{"erase_my_data"}, group: GroupRefuse, right: true, run: a.cmdEraseMe},
		{name: "formulir_kelola", aliases: []string{"manage_forms"}, allow: isAdmin, group: GroupPrivate, menu: "cmd.form_admin", run: a.cmdFormAdmin},
		{name: "kiriman", aliases: []string{"submissions"}, allow: isStaff, group: GroupPrivate, menu: "cmd.submissions", run: a.cmdSubmissions,
			gates: []string{formReviewFlowName}},
	}
}

func (a *App) onCommand(c *Ctx) error {
	cmd, ok := a.commands[c.Ev.Command]
	if !ok {
		// What follows the slash is whatever the person typed ("/<b>hai").
		return c.Reply(c.T("hint.unknown_command", "command", html.EscapeString("/"+clip(c.Ev.Command, 32))))
	}
	if cmd.allow != nil && !cmd.allow(c.User) {
		if key := newcomerHint(c.User, cmd); key != "" {
			if err := c.Tx.AuditLimited(c.User.ID, "denied", "/"+cmd.name); err != nil {
				return err
			}
			return c.Reply(c.T(key, "command", "/"+cmd.name))
		}
		return a.deny(c, "/"+cmd.name)
	}
	if !c.Ev.Private() {
		switch cmd.group {
		case GroupPrivate:
			return a.runInPrivate(c, cmd)
		case GroupAnswer:
		default:
			return c.Reply(c.T("group.refused", "command", "/"+cmd.name, "link", a.deepLink("")))
		}
	}
	return a.runCommand(c, cmd)
}

// newcomerHint is the catalogue key that tells someone not registered (yet)
// how to get to a command every registered worker may use: registering, or
// waiting for the approval. "" when registering would not help (a staff
// command, a blocked person).
func newcomerHint(u store.User, cmd *command) string {
	if !cmd.allow(store.User{Status: store.UserActive, Role: store.RolePSM}) {
		return ""
	}
	switch u.Status {
	case store.UserNew, store.UserRejected:
		return "auth.register"
	case store.UserPending:
		return "auth.pending"
	}
	return ""
}

// runCommand runs cmd in the event's chat, minding the flow open there.
func (a *App) runCommand(c *Ctx, cmd *command) error {
	s, open, err := a.loadSession(c)
	if err != nil {
		return err
	}
	if open && !c.Ev.Private() && !a.flowInGroup(s.Def()) {
		// A draft that must not be shown in a group (left from before
		// commands were routed to private chats) is neither resumed nor
		// protected here.
		s, open = nil, false
	}
	if open && cmd.opensFlow && s.Def().NoSummary {
		// A one-question flow (a decline reason, a digest setting) holds no
		// draft worth protecting: a new command simply replaces it.
		if err := a.takeKeyboard(c, s); err != nil {
			return err
		}
		if err := c.Tx.DeleteConversation(s.ChatID, s.UserID); err != nil {
			return err
		}
		s, open = nil, false
	}
	if open && cmd.opensFlow {
		return a.reprompt(c, s, c.T("flow.busy"))
	}
	return cmd.run(c, s)
}

// runInPrivate runs cmd, sent in a coordinators' group, in the sender's
// private chat, and tells the group where the answer went, naming nothing.
// Telegram lets a bot write only to people who have started it: anyone else
// (or anyone who blocked it) is asked, in the group, to open the private chat.
func (a *App) runInPrivate(c *Ctx, cmd *command) error {
	ok, err := c.Tx.HasPrivateChat(c.User.ID)
	if err != nil {
		return err
	}
	if !ok || c.User.Unreachable {
		return c.Reply(c.T("group.open_private", "command", "/"+cmd.name, "link", a.deepLink("")))
	}
	pc := *c
	pc.Ev.ChatID, pc.Ev.ChatType, pc.Ev.MessageID = c.User.ID, "private", 0
	if err := a.runCommand(&pc, cmd); err != nil {
		return err
	}
	return c.Reply(c.T("group.sent_private", "command", "/"+cmd.name, "link", a.deepLink("")))
}

// flowInGroup reports whether flow f may run in a coordinators' group: only
// a flow opened by a command answered there.
func (a *App) flowInGroup(f *Flow) bool {
	g := a.gateOf(f)
	return g != nil && g.group == GroupAnswer
}

// CommandGroupPolicies lists every command (by its main name) with what it
// does in a coordinators' group, for documentation and tests.
func (a *App) CommandGroupPolicies() map[string]GroupPolicy {
	out := make(map[string]GroupPolicy, len(a.order))
	for _, name := range a.order {
		out[name] = a.commands[name].group
	}
	return out
}

// deny refuses a forbidden action politely and records it in the audit log
// (within store.AuditBurst per hour and person; the rest are counted).
func (a *App) deny(c *Ctx, what string) error {
	if err := c.Tx.AuditLimited(c.User.ID, "denied", what); err != nil {
		return err
	}
	if c.Ev.Kind == EventCallback && !c.Answered() {
		return c.Answer(c.T("auth.denied"))
	}
	// A message, or a press already answered (a form's Save): a second
	// callback answer would show nothing, so the refusal is a message.
	return c.Reply(c.T("auth.denied"))
}

// reprompt asks the open flow's current question again (after a restart, or when
// another command came in between).
func (a *App) reprompt(c *Ctx, s *session, note string) error {
	return a.eng.Reprompt(c, s, note)
}

// seedAdmin makes a configured admin an active admin on their first message.
func (a *App) seedAdmin(c *Ctx, u store.User) (store.User, error) {
	if !slices.Contains(a.cfg.Admins, u.ID) || isAdmin(u) {
		return u, nil
	}
	if err := c.Tx.SetRole(u.ID, store.RoleAdmin, []string{"*"}); err != nil {
		return u, err
	}
	if err := c.Tx.Audit(u.ID, "seed_admin", "config"); err != nil {
		return u, err
	}
	u.Role, u.Status, u.Covers = store.RoleAdmin, store.UserActive, []string{"*"}
	if _, err := c.Tx.Enqueue(a.chatMenu(u)); err != nil {
		return u, err
	}
	return u, nil
}

func (a *App) cmdCancel(c *Ctx, s *session) error {
	if s == nil {
		return c.Reply(c.T("flow.nothing"))
	}
	return a.cancel(c, s, "flow.cancelled")
}

func (a *App) cmdBack(c *Ctx, s *session) error {
	if s == nil {
		return c.Reply(c.T("flow.nothing"))
	}
	return a.eng.Back(c, s)
}

func (a *App) cmdSkip(c *Ctx, s *session) error {
	if s == nil {
		return c.Reply(c.T("flow.nothing"))
	}
	return a.eng.Skip(c, s)
}

func (a *App) cmdHelp(c *Ctx, s *session) error {
	text := "<b>" + c.T("help.title") + "</b>\n"
	for _, cmd := range a.menu(c.User, c.Lang) {
		text += "\n/" + cmd.Command + " — " + cmd.Description
	}
	if err := c.Reply(text); err != nil {
		return err
	}
	if s != nil {
		return a.reprompt(c, s, c.T("flow.resume"))
	}
	return nil
}

// menu is the command list u may use, derived from the same gate that checks them.
func (a *App) menu(u store.User, lang i18n.Lang) []store.Command {
	var out []store.Command
	for _, name := range a.order {
		cmd := a.commands[name]
		if cmd.menu == "" || (cmd.allow != nil && !cmd.allow(u)) {
			continue
		}
		out = append(out, store.Command{Command: cmd.name, Description: i18n.T(lang, cmd.menu)})
	}
	return out
}

// chatMenu is the setMyCommands message for u's own chat, in u's language.
func (a *App) chatMenu(u store.User) store.Message {
	return store.Message{Kind: store.KindSetCommands, ChatID: u.ID, Scope: "chat",
		Commands: a.menu(u, a.lang(u)), Priority: store.PriorityNotice}
}

// Menus are the setMyCommands messages to send at start: the default menu (what
// a registered worker may use, in the default language) and the admin menu in
// each configured admin's chat. Coordinators and newly approved users get theirs
// when their role is granted.
func (a *App) Menus() []store.Message {
	worker := store.User{Role: store.RolePSM, Status: store.UserActive}
	out := []store.Message{{Kind: store.KindSetCommands, Commands: a.menu(worker, a.cfg.DefaultLang),
		Priority: store.PriorityNotice}}
	for _, id := range a.cfg.Admins {
		out = append(out, a.chatMenu(store.User{ID: id, Role: store.RoleAdmin, Status: store.UserActive}))
	}
	return out
}

// FlowCommand declares a slash command that opens a flow.
type FlowCommand struct {
	// Name is the command without the slash, lower case; Aliases are other names.
	Name    string
	Aliases []string
	// Allow says who may run it (nil: everyone not blocked); it also decides who
	// sees it in their command menu, and is checked again at every answer,
	// button and save of the open flow.
	Allow func(u store.User) bool
	// Menu is the catalogue key of its menu description; "" keeps it out of menus.
	Menu string
	// Group says what the command does in a coordinators' group; it must be
	// set (see GroupPolicy).
	Group GroupPolicy
	Flow  *Flow
	// Vars, when set, gives the flow its starting variables (c.Vars).
	Vars func(c *Ctx) map[string]string
}

// AddCommand validates cmd.Flow and makes /cmd.Name open it. Call it before the
// App handles events; it fails on a broken flow or a name already taken.
func (a *App) AddCommand(cmd FlowCommand) error {
	if cmd.Flow == nil {
		return fmt.Errorf("command %s: no flow", cmd.Name)
	}
	if err := a.AddFlow(cmd.Flow); err != nil {
		return fmt.Errorf("command %s: %w", cmd.Name, err)
	}
	f := cmd.Flow
	return a.addCommand(&command{name: cmd.Name, aliases: cmd.Aliases, allow: cmd.Allow, opensFlow: true,
		gates: []string{f.Name}, menu: cmd.Menu, group: cmd.Group, run: func(c *Ctx, _ *session) error {
			var vars map[string]string
			if cmd.Vars != nil {
				vars = cmd.Vars(c)
			}
			return a.startFlow(c, f, vars, nil, false)
		}})
}
