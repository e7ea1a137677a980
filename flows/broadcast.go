package flows

import (
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// /siaran: an admin (anyone) or a coordinator (their own area) writes a
// message, sees it exactly as it will look, confirms, and the messages go
// through the outbox at PriorityBroadcast, after every reply. One progress
// message is edited in place by the sweep, then shows the final count and who
// could not be reached.

// maxBroadcastText and maxBroadcastCaption are Telegram's limits on a
// message's text and a photo's caption, counted after the HTML is parsed, so
// the escaping of what the admin typed does not count.
const (
	maxBroadcastText    = 4096
	maxBroadcastCaption = 1024
)

// maxUnreachedShown bounds the names listed in the final count.
const maxUnreachedShown = 30

func (a *App) broadcastFlow() *Flow {
	return &Flow{Name: "broadcast", Title: "bc.title", Save: a.saveBroadcast, Steps: []Step{
		{Key: "audience", Prompt: "bc.audience", Input: InputChoice, OptionsFrom: a.broadcastAudiences},
		{Key: "kecamatan", Prompt: "bc.kecamatan", Input: InputMulti, Min: 1, Max: 100, DependsOn: []string{"audience"},
			If:          func(c *Ctx) bool { return c.Answers.Text("audience") == store.AudienceKecamatan },
			OptionsFrom: a.areaKecamatan},
		{Key: "text", Prompt: "bc.text", Input: InputText, Min: 1, Max: maxBroadcastText,
			Caption: maxBroadcastCaption, Check: checkBroadcastLength},
	}}
}

// checkBroadcastLength counts as Telegram does (UTF-16 code units: an emoji
// is two), so a text the step took is never refused by Telegram later.
func checkBroadcastLength(_ *Ctx, v Value) error {
	n := 0
	for _, r := range v.Text {
		n += max(utf16.RuneLen(r), 1)
	}
	switch {
	case len(v.Photos) > 0 && n > maxBroadcastCaption:
		return refuse("err.caption.long", "max", itoa(maxBroadcastCaption), "got", itoa(n))
	case len(v.Photos) == 0 && n > maxBroadcastText:
		return refuse("err.text.long", "max", itoa(maxBroadcastText), "got", itoa(n))
	}
	return nil
}

// broadcastMessage is what b sends to chat: a photo with its caption, or a
// text. The preview is the same message, so it looks exactly as recipients
// will see it.
func broadcastMessage(b store.Broadcast, chat int64, priority int) store.Message {
	if b.FileID != "" {
		return store.Message{Kind: store.KindPhoto, ChatID: chat, FileID: b.FileID, Text: b.Text, Priority: priority}
	}
	return store.Message{ChatID: chat, Text: b.Text, Priority: priority}
}

func (a *App) cmdBroadcast(c *Ctx, _ *session) error {
	return a.startFlow(c, a.flows["broadcast"], nil, nil, false)
}

// area is the kecamatan u may address: ["*"] for admins and coordinators of
// the whole city, none for anyone who is not active staff (a blocked or
// demoted coordinator keeps their covers in the database, not their reach).
func area(u store.User) []string {
	if !isStaff(u) {
		return []string{}
	}
	if isAdmin(u) || slices.Contains(u.Covers, "*") {
		return []string{"*"}
	}
	return append([]string{}, u.Covers...)
}

func (a *App) broadcastAudiences(c *Ctx) ([]Option, error) {
	kec := Option{Value: store.AudienceKecamatan, Key: "mtg.audience.kecamatan"}
	if !slices.Contains(area(c.User), "*") {
		return []Option{kec}, nil
	}
	return []Option{{Value: store.AudienceAll, Key: "mtg.audience.all"}, {Value: store.AudiencePSM, Key: "mtg.audience.psm"},
		{Value: store.AudienceTKSK, Key: "mtg.audience.tksk"}, kec}, nil
}

// areaKecamatan are the kecamatan c's user may address (a broadcast's or a
// meeting's audience).
func (a *App) areaKecamatan(c *Ctx) ([]Option, error) {
	allowed := area(c.User)
	var opts []Option
	for _, k := range a.cfg.Regions.Kecamatan {
		if slices.Contains(allowed, "*") || slices.Contains(allowed, k.Code) {
			opts = append(opts, Option{Value: k.Code, Text: k.Name})
		}
	}
	if len(opts) == 0 {
		return nil, refuse("bc.err.no_area")
	}
	return opts, nil
}

// broadcastRecipients are the active workers b addresses, leaving out its
// author; ok is false when b reaches outside its author's area (a forged or
// outdated draft).
func (a *App) broadcastRecipients(tx *store.Tx, author store.User, b store.Broadcast) ([]store.User, bool, error) {
	allowed := area(author)
	roles := []string{store.RolePSM, store.RoleTKSK}
	var kec []string
	switch b.Audience {
	case store.AudienceAll:
	case store.AudiencePSM:
		roles = []string{store.RolePSM}
	case store.AudienceTKSK:
		roles = []string{store.RoleTKSK}
	case store.AudienceKecamatan:
		kec = b.Kecamatan
		if kec == nil {
			kec = []string{}
		}
	default:
		return nil, false, nil
	}
	if !slices.Contains(allowed, "*") {
		if kec == nil {
			return nil, false, nil
		}
		for _, k := range kec {
			if !slices.Contains(allowed, k) {
				return nil, false, nil
			}
		}
	}
	users, err := tx.Workers(roles, kec, nil)
	if err != nil {
		return nil, false, err
	}
	users = slices.DeleteFunc(users, func(u store.User) bool { return u.ID == author.ID })
	return users, true, nil
}

func (a *App) broadcastAudienceText(lang i18n.Lang, b store.Broadcast) string {
	text := i18n.T(lang, "mtg.audience."+b.Audience)
	if b.Audience == store.AudienceKecamatan {
		var names []string
		for _, code := range b.Kecamatan {
			if k, ok := a.cfg.Regions.KecamatanByCode(code); ok {
				names = append(names, html.EscapeString(k.Name))
			}
		}
		text += ": " + strings.Join(names, ", ")
	}
	return text
}

// saveBroadcast keeps the draft and shows the preview: the message exactly as
// recipients will see it, then how many will get it, with send and cancel.
func (a *App) saveBroadcast(c *Ctx) error {
	b := store.Broadcast{CreatedBy: c.User.ID, ChatID: c.Ev.ChatID, Audience: c.Answers.Text("audience"),
		Kecamatan: c.Answers["kecamatan"].List, Text: html.EscapeString(c.Answers.Text("text"))}
	if photos := c.Answers["text"].Photos; len(photos) > 0 {
		b.FileID = photos[0].FileID
	}
	users, ok, err := a.broadcastRecipients(c.Tx, c.User, b)
	if err != nil {
		return err
	}
	if !ok {
		return a.deny(c, "broadcast "+b.Audience+kecList(b.Kecamatan))
	}
	if b.ID, err = c.Tx.AddBroadcast(b); err != nil {
		return err
	}
	if err := c.Reply(c.T("bc.preview.head")); err != nil {
		return err
	}
	if _, err := c.Send(broadcastMessage(b, c.Ev.ChatID, store.PriorityReply)); err != nil {
		return err
	}
	unreachable := 0
	for _, u := range users {
		if u.Unreachable {
			unreachable++
		}
	}
	id := strconv.FormatInt(b.ID, 10)
	send, err := data(cbAdmin, id, opBcastSend, "")
	if err != nil {
		return err
	}
	cancel, err := data(cbAdmin, id, opBcastCancel, "")
	if err != nil {
		return err
	}
	_, err = c.Send(store.Message{Text: c.T("bc.preview.confirm", "audience", a.broadcastAudienceText(c.Lang, b),
		"n", itoa(len(users)), "unreachable", itoa(unreachable)),
		Buttons: [][]store.Button{{{Text: c.T("bc.btn.send"), Data: send}, {Text: c.T("bc.btn.cancel"), Data: cancel}}}})
	return err
}

// onBroadcastButton sends or cancels a previewed broadcast; only its author,
// still allowed to broadcast, may.
func (a *App) onBroadcastButton(c *Ctx, cb Callback) error {
	id, err := strconv.ParseInt(cb.Nonce, 10, 64)
	if err != nil {
		return a.stale(c)
	}
	b, ok, err := c.Tx.GetBroadcast(id)
	if err != nil {
		return err
	}
	if !ok || !isStaff(c.User) || b.CreatedBy != c.User.ID {
		return a.deny(c, "broadcast "+cb.Nonce)
	}
	if b.Status != store.BroadcastDraft {
		return c.Answer(c.T("bc.already"))
	}
	if cb.Op == opBcastCancel {
		if _, err := c.Tx.SetBroadcastStatus(b.ID, store.BroadcastDraft, store.BroadcastCancelled); err != nil {
			return err
		}
		if err := c.Answer(""); err != nil {
			return err
		}
		return a.showOrEdit(c, c.Ev.CallbackMessageID, c.T("bc.cancelled"), nil)
	}
	users, ok, err := a.broadcastRecipients(c.Tx, c.User, b)
	if err != nil {
		return err
	}
	if !ok {
		return a.deny(c, "broadcast "+cb.Nonce)
	}
	if started, err := c.Tx.SetBroadcastStatus(b.ID, store.BroadcastDraft, store.BroadcastRunning); err != nil || !started {
		if err == nil {
			err = c.Answer(c.T("bc.already"))
		}
		return err
	}
	for _, u := range users {
		ref := int64(0)
		if !u.Unreachable {
			if ref, err = c.Tx.Enqueue(broadcastMessage(b, u.ID, store.PriorityBroadcast)); err != nil {
				return err
			}
		}
		if err := c.Tx.AddBroadcastMessage(b.ID, u.ID, ref); err != nil {
			return err
		}
	}
	if err := c.Tx.Audit(c.User.ID, "broadcast", fmt.Sprintf("id=%d audience=%s n=%d", b.ID,
		b.Audience+kecList(b.Kecamatan), len(users))); err != nil {
		return err
	}
	if err := c.Answer(c.T("bc.started")); err != nil {
		return err
	}
	// The preview's buttons go; the progress message is a new one, edited in
	// place from now on.
	if err := a.showOrEdit(c, c.Ev.CallbackMessageID, c.T("bc.preview.sent", "id", itoa(int(b.ID)),
		"audience", a.broadcastAudienceText(c.Lang, b)), nil); err != nil {
		return err
	}
	counts, err := c.Tx.BroadcastCounts(b.ID)
	if err != nil {
		return err
	}
	ref, err := c.Send(store.Message{Text: a.broadcastProgress(c.Lang, b, counts)})
	if err != nil {
		return err
	}
	if err := c.Tx.SetBroadcastProgress(b.ID, ref, shownCounts(counts)); err != nil {
		return err
	}
	b.ProgressRef = ref
	if counts.Pending == 0 {
		return a.finishBroadcast(c.Tx, b, counts)
	}
	return nil
}

func kecList(k []string) string {
	if len(k) == 0 {
		return ""
	}
	return ":" + strings.Join(k, ",")
}

func shownCounts(c store.BroadcastCounts) string {
	return fmt.Sprintf("%d/%d/%d/%d", c.Sent, c.Failed, c.Skipped, c.Pending)
}

// broadcastProgress is the progress message: sent, failed, left, and at the
// rate so far, about how long the rest takes.
func (a *App) broadcastProgress(lang i18n.Lang, b store.Broadcast, c store.BroadcastCounts) string {
	eta := i18n.T(lang, "bc.eta.unknown")
	if span := c.LastSent.Sub(c.FirstSent); c.Sent > 1 && span > 0 {
		perSec := float64(c.Sent-1) / span.Seconds()
		left := time.Duration(float64(c.Pending) / perSec * float64(time.Second)).Round(time.Second)
		eta = i18n.T(lang, "bc.eta", "d", left.String())
	}
	return i18n.T(lang, "bc.progress", "id", itoa(int(b.ID)), "sent", itoa(c.Sent),
		"failed", itoa(c.Failed+c.Skipped), "left", itoa(c.Pending), "total", itoa(c.Total), "eta", eta)
}

// sweepBroadcasts edits each running broadcast's progress message when its
// counts changed, and finishes those with nothing left to send.
func (a *App) sweepBroadcasts(tx *store.Tx) error {
	running, err := tx.RunningBroadcasts()
	if err != nil {
		return err
	}
	for _, b := range running {
		counts, err := tx.BroadcastCounts(b.ID)
		if err != nil {
			return err
		}
		if counts.Pending == 0 {
			if err := a.finishBroadcast(tx, b, counts); err != nil {
				return err
			}
			continue
		}
		shown := shownCounts(counts)
		if shown == b.Shown || b.ChatID == 0 {
			continue
		}
		lang, err := a.langOf(tx, b.CreatedBy)
		if err != nil {
			return err
		}
		if _, err := tx.Enqueue(store.Message{Kind: store.KindEditText, ChatID: b.ChatID, EditOf: b.ProgressRef,
			Text: a.broadcastProgress(lang, b, counts)}); err != nil {
			return err
		}
		if err := tx.SetBroadcastProgress(b.ID, b.ProgressRef, shown); err != nil {
			return err
		}
	}
	return nil
}

// finishBroadcast edits the progress message into the final count with who
// could not be reached, tells the author, and audits it.
func (a *App) finishBroadcast(tx *store.Tx, b store.Broadcast, counts store.BroadcastCounts) error {
	if done, err := tx.SetBroadcastStatus(b.ID, store.BroadcastRunning, store.BroadcastDone); err != nil || !done {
		return err
	}
	unreached, err := tx.BroadcastUnreached(b.ID)
	if err != nil {
		return err
	}
	if err := tx.Audit(b.CreatedBy, "broadcast_done", fmt.Sprintf("id=%d sent=%d unreached=%d", b.ID, counts.Sent,
		len(unreached))); err != nil {
		return err
	}
	if b.ChatID == 0 {
		return nil
	}
	lang, err := a.langOf(tx, b.CreatedBy)
	if err != nil {
		return err
	}
	text := i18n.T(lang, "bc.final", "id", itoa(int(b.ID)), "sent", itoa(counts.Sent), "total", itoa(counts.Total),
		"unreached", itoa(len(unreached)))
	if len(unreached) > 0 {
		var names []string
		for i, u := range unreached {
			if i == maxUnreachedShown {
				names = append(names, i18n.T(lang, "bc.final.more", "n", itoa(len(unreached)-i)))
				break
			}
			names = append(names, html.EscapeString(clip(displayName(u), 40)))
		}
		text += "\n" + i18n.T(lang, "bc.final.unreached", "names", strings.Join(names, ", "))
	}
	if _, err := tx.Enqueue(store.Message{Kind: store.KindEditText, ChatID: b.ChatID, EditOf: b.ProgressRef,
		Text: text}); err != nil {
		return err
	}
	if err := tx.SetBroadcastProgress(b.ID, b.ProgressRef, shownCounts(counts)); err != nil {
		return err
	}
	_, err = tx.Enqueue(store.Message{ChatID: b.ChatID, Text: i18n.T(lang, "bc.done", "id", itoa(int(b.ID)),
		"sent", itoa(counts.Sent), "total", itoa(counts.Total)), Priority: store.PriorityNotice})
	return err
}

// langOf is the language of user id (the default when unknown).
func (a *App) langOf(tx *store.Tx, id int64) (i18n.Lang, error) {
	u, _, err := tx.GetUser(id)
	if err != nil {
		return "", err
	}
	return a.lang(u), nil
}
