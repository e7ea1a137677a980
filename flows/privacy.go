package flows

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// Data protection (UU 27/2022 tentang Pelindungan Data Pribadi): anyone may
// see what the bot keeps about them (/data_saya) and have it erased
// (/hapus_data_saya); admins erase a case's personal data on a lawful request
// (/hapus_kasus KODE). Every erasure is audited.

// cmdMyData shows the person what is stored about them.
func (a *App) cmdMyData(c *Ctx, s *session) error {
	u := c.User
	var reported, attended int
	if err := c.Tx.QueryRow(`SELECT COUNT(*) FROM cases WHERE reporter_id = ?`, u.ID).Scan(&reported); err != nil {
		return err
	}
	if err := c.Tx.QueryRow(`SELECT COUNT(*) FROM meeting_attendance WHERE user_id = ?`, u.ID).Scan(&attended); err != nil {
		return err
	}
	who := html.EscapeString(u.FirstName)
	if u.Username != "" {
		who += " (@" + html.EscapeString(u.Username) + ")"
	}
	text := c.T("priv.mydata", "id", strconv.FormatInt(u.ID, 10), "who", who,
		"status", c.T("adm.status."+u.Status), "cases", itoa(reported), "meetings", itoa(attended))
	if u.FullName != "" {
		text += "\n\n" + a.profileText(c.Lang, u.Profile)
	}
	text += "\n\n" + c.T("priv.mydata.erase")
	if err := c.Reply(text); err != nil {
		return err
	}
	if s != nil {
		return a.reprompt(c, s, c.T("flow.resume"))
	}
	return nil
}

// cmdEraseMe explains what erasure does and asks for confirmation.
func (a *App) cmdEraseMe(c *Ctx, _ *session) error {
	id := strconv.FormatInt(c.User.ID, 10)
	yes, err := data(cbAdmin, id, opEraseMe, "")
	if err != nil {
		return err
	}
	no, err := data(cbAdmin, id, opEraseKeep, "")
	if err != nil {
		return err
	}
	_, err = c.Send(store.Message{Text: c.T("priv.erase.explain"),
		Buttons: [][]store.Button{{{Text: c.T("priv.erase.btn.yes"), Data: yes}, {Text: c.T("priv.erase.btn.no"), Data: no}}}})
	return err
}

// onEraseMe erases (or keeps) the presser's own data; a button naming
// someone else is a forgery.
func (a *App) onEraseMe(c *Ctx, cb Callback) error {
	if cb.Nonce != strconv.FormatInt(c.User.ID, 10) {
		return a.deny(c, "erase "+cb.Nonce)
	}
	if cb.Op == opEraseKeep {
		if err := c.Answer(""); err != nil {
			return err
		}
		return a.showOrEdit(c, c.Ev.CallbackMessageID, c.T("priv.erase.kept"), nil)
	}
	standIn, er, ok, err := c.Tx.EraseUser(c.User.ID, i18n.T(a.cfg.DefaultLang, "priv.removed_worker"))
	if err != nil {
		return err
	}
	if !ok {
		return a.stale(c)
	}
	if err := a.retract(c, er.Delivered); err != nil {
		return err
	}
	// The audit records the erasure under the stand-in, not the Telegram id
	// that was just erased.
	if err := c.Tx.Audit(standIn, "erase_user", "self"); err != nil {
		return err
	}
	if err := c.Answer(""); err != nil {
		return err
	}
	if err := a.showOrEdit(c, c.Ev.CallbackMessageID, c.T("priv.erase.done"), nil); err != nil {
		return err
	}
	_, err = c.Send(a.chatMenu(store.User{ID: c.User.ID, Role: store.RoleNone, Status: store.UserNew}))
	return err
}

// cmdEraseCase is /hapus_kasus KODE: after confirmation, the case's personal
// data is replaced and its photos dropped; the case stays for statistics.
func (a *App) cmdEraseCase(c *Ctx, s *session) error {
	code := strings.TrimSpace(c.Ev.Args)
	if code == "" {
		return c.Reply(c.T("priv.case.usage"))
	}
	id, err := c.Tx.CaseIDByCode(code)
	if err != nil {
		return err
	}
	if id == 0 {
		return c.Reply(c.T("priv.case.unknown", "code", html.EscapeString(clip(code, 20))))
	}
	k, _, err := c.Tx.GetCase(id)
	if err != nil {
		return err
	}
	d, err := data(cbAdmin, strconv.FormatInt(id, 10), opEraseCase, "")
	if err != nil {
		return err
	}
	_, err = c.Send(store.Message{Text: c.T("priv.case.confirm", "code", k.Code),
		Buttons: [][]store.Button{{{Text: c.T("priv.case.btn"), Data: d}}}})
	if err != nil || s == nil {
		return err
	}
	return a.reprompt(c, s, c.T("flow.resume"))
}

// eraseCase erases case id's personal data; only admins get here.
func (a *App) eraseCase(c *Ctx, id int64) error {
	k, ok, err := c.Tx.GetCase(id)
	if err != nil {
		return err
	}
	if !ok {
		return a.stale(c)
	}
	er, ok, err := c.Tx.EraseCasePersonalData(id, c.User.ID, i18n.T(a.cfg.DefaultLang, "priv.case.placeholder"))
	if err != nil || !ok {
		return err
	}
	if err := c.Tx.Audit(c.User.ID, "erase_case", fmt.Sprintf("%s photos=%d messages=%d drafts=%d", k.Code,
		len(er.Photos), len(er.Delivered), len(er.Drafts))); err != nil {
		return err
	}
	if err := a.retract(c, er.Delivered); err != nil {
		return err
	}
	for _, d := range er.Drafts {
		u, _, err := c.Tx.GetUser(d.UserID)
		if err != nil {
			return err
		}
		if _, err := c.Send(store.Message{ChatID: d.ChatID, Priority: store.PriorityNotice,
			Text: i18n.T(a.lang(u), "priv.erased.draft", "code", k.Code)}); err != nil {
			return err
		}
	}
	if err := c.Answer(""); err != nil {
		return err
	}
	if err := a.showOrEdit(c, c.Ev.CallbackMessageID, c.T("priv.case.done", "code", k.Code), nil); err != nil {
		return err
	}
	// The files go last, once every write of this update has succeeded. They
	// go before the commit, on purpose: a crash before it replays the press
	// (the update is not confirmed), which erases the rows and finds the files
	// already gone; had they gone after the commit, a crash in between would
	// leave the photos on disk with nothing pointing at them. If the commit
	// itself fails, the admin is told and presses again.
	return a.removeMedia(er.Photos, id)
}

// draftCase is the case a draft of flow is about, from its variables: the
// case being fixed, the case a coordinator decides on, the case whose NIK the
// report repeats; 0 for none. Stored with the draft (store.Conversation
// CaseID), so erasing a case drops exactly the drafts about it.
func draftCase(flow string, vars map[string]string) int64 {
	var keys []string
	switch flow {
	case caseFlowName:
		keys = []string{varFix, varDup}
	case caseNoteFlowName:
		keys = []string{"case"}
	}
	for _, k := range keys {
		if id, err := strconv.ParseInt(vars[k], 10, 64); err == nil && id > 0 {
			return id
		}
	}
	return 0
}

// retract takes erased data out of the chats it was delivered to: a text
// message is edited to a neutral "data deleted" and then deleted (Telegram
// lets a bot delete its messages for 48 hours; an older one keeps the
// neutral text); a photo, document or location cannot become text and is
// only deleted. The message whose button is being answered is left to the
// caller, which edits it. Both go through the outbox, in the chat's order.
func (a *App) retract(c *Ctx, ds []store.Delivered) error {
	for _, d := range ds {
		if d.ChatID == c.Ev.ChatID && d.MessageID == c.Ev.CallbackMessageID {
			continue
		}
		if d.Text {
			lang := a.cfg.DefaultLang
			if d.ChatID > 0 {
				u, ok, err := c.Tx.GetUser(d.ChatID)
				if err != nil {
					return err
				}
				if ok {
					lang = a.lang(u)
				}
			}
			if _, err := c.Send(store.Message{Kind: store.KindEditText, ChatID: d.ChatID, MessageID: d.MessageID,
				Priority: store.PriorityNotice, Text: i18n.T(lang, "priv.erased.notice")}); err != nil {
				return err
			}
		}
		if _, err := c.Send(store.Message{Kind: store.KindDelete, ChatID: d.ChatID, MessageID: d.MessageID,
			Priority: store.PriorityNotice}); err != nil {
			return err
		}
	}
	return nil
}

// removeMedia deletes case photo files (paths relative to MediaDir); one
// already gone is fine. A path leaving the media folder is never followed.
// The case's own folder goes whole, with any file a record no longer names.
func (a *App) removeMedia(paths []string, caseID int64) error {
	if a.cfg.MediaDir == "" {
		return nil
	}
	var errs []error
	for _, rel := range paths {
		if !filepath.IsLocal(rel) {
			errs = append(errs, fmt.Errorf("erase photo %q: outside the media folder", rel))
			continue
		}
		full := filepath.Join(a.cfg.MediaDir, rel)
		if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("erase photo: %w", err))
			continue
		}
		// The folder goes too once empty; a non-empty one stays.
		if dir := filepath.Dir(full); dir != filepath.Clean(a.cfg.MediaDir) {
			_ = os.Remove(dir)
		}
	}
	if err := os.RemoveAll(filepath.Join(a.cfg.MediaDir, store.CaseMediaDir(caseID))); err != nil {
		errs = append(errs, fmt.Errorf("erase photos of case %d: %w", caseID, err))
	}
	if a.cfg.MediaMirror != nil {
		// Every photo of a case lives in its folder (store.CaseMediaDir):
		// the replica's goes whole.
		folders := []string{store.CaseMediaDir(caseID)}
		for _, rel := range paths {
			if dir := filepath.ToSlash(filepath.Dir(rel)); filepath.IsLocal(rel) && dir != folders[0] {
				folders = append(folders, filepath.ToSlash(rel))
			}
		}
		for _, rel := range folders {
			if err := a.cfg.MediaMirror.DeleteMedia(context.Background(), rel); err != nil {
				errs = append(errs, fmt.Errorf("erase photos of case %d on the replica: %w", caseID, err))
			}
		}
	}
	return errors.Join(errs...)
}

// MediaMirror is the replica of the media folder (store/replica.Replicator).
type MediaMirror interface {
	// DeleteMedia removes rel, a file or folder relative to the media
	// folder, from the replica; it records the removal and returns without
	// waiting for the network.
	DeleteMedia(ctx context.Context, rel string) error
}
