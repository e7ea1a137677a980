package flows

import (
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// What the runtime says in chat when delivery fails (issue 13): the text that
// stands in for a photo, location or document Telegram would not take, and
// the admins' alert when a chat is stuck. The runtime decides when; the words
// and who hears them are decided here.

// MediaFallback is the text message that replaces m, a photo, location or
// document given up for good, in the same chat, in the language of the
// chat's person: a photo's or document's caption with a note that the file
// could not be sent (a case photo's caption names its case), a location as a
// map link. Buttons and keyboards stay.
func (a *App) MediaFallback(tx *store.Tx, m store.Message) (store.Message, error) {
	lang := a.cfg.DefaultLang
	if m.ChatID > 0 {
		u, ok, err := tx.GetUser(m.ChatID)
		if err != nil {
			return store.Message{}, fmt.Errorf("media fallback: %w", err)
		}
		if ok {
			lang = a.lang(u)
		}
	}
	out := store.Message{Kind: store.KindSend, ChatID: m.ChatID, Priority: m.Priority, Buttons: m.Buttons,
		Reply: m.Reply, RemoveReply: m.RemoveReply}
	withCaption := func(note string) string {
		if strings.TrimSpace(m.Text) == "" {
			return note
		}
		return m.Text + "\n\n" + note
	}
	switch m.Kind {
	case store.KindPhoto:
		out.Text = withCaption(i18n.T(lang, "dlv.fallback.photo"))
	case store.KindDocument:
		out.Text = withCaption(i18n.T(lang, "dlv.fallback.document", "name", html.EscapeString(m.FileName)))
	case store.KindLocation:
		lat, lon := strconv.FormatFloat(m.Latitude, 'f', 6, 64), strconv.FormatFloat(m.Longitude, 'f', 6, 64)
		out.Text = i18n.T(lang, "dlv.fallback.location", "url", MapLink(m.Latitude, m.Longitude), "lat", lat, "lon", lon)
	default:
		return store.Message{}, fmt.Errorf("media fallback: no fallback for kind %q", m.Kind)
	}
	return out, nil
}

// MapLink is a link that opens a map at lat, lon in any browser.
func MapLink(lat, lon float64) string {
	return "https://maps.google.com/?q=" + strconv.FormatFloat(lat, 'f', 6, 64) + "," +
		strconv.FormatFloat(lon, 'f', 6, 64)
}

// DeliveryAlert is what the runtime tells the admins when messages stop going
// out: which Bot API method fails and with what, or that messages wait too
// long, and how many.
type DeliveryAlert struct {
	// Method is the failing Bot API method ("sendPhoto"); "" when nothing
	// fails but messages wait too long (a backlog).
	Method string
	// Status is the HTTP status of the last failure; 0 when no answer came.
	Status int
	// Error is the failure's text: Telegram's description or the start of
	// the body of an answer without Telegram's envelope.
	Error string
	// Chats and Waiting count the stuck chats and the messages waiting.
	Chats, Waiting int
	// Since is how long it has been failing, or how long the oldest message
	// has waited.
	Since time.Duration
}

// AlertAdmins enqueues alert to every active admin, in their language,
// except those skip names: an admin whose own chat is stuck would get the
// alert behind what it reports. It returns the admins alerted and skipped.
func (a *App) AlertAdmins(tx *store.Tx, al DeliveryAlert, skip func(chat int64) bool) (sent, skipped []int64, err error) {
	admins, err := tx.UsersWithRole(store.RoleAdmin)
	if err != nil {
		return nil, nil, fmt.Errorf("delivery alert: %w", err)
	}
	minutes := strconv.Itoa(max(1, int(al.Since.Round(time.Minute)/time.Minute)))
	for _, u := range admins {
		if skip != nil && skip(u.ID) {
			skipped = append(skipped, u.ID)
			continue
		}
		lang := a.lang(u)
		var text string
		if al.Method == "" {
			text = i18n.T(lang, "dlv.alert.backlog", "waiting", strconv.Itoa(al.Waiting), "minutes", minutes)
		} else {
			answer := i18n.T(lang, "dlv.alert.no_answer")
			if al.Status != 0 {
				answer = "HTTP " + strconv.Itoa(al.Status)
			}
			reason := al.Error
			if reason == "" {
				reason = "-"
			}
			text = i18n.T(lang, "dlv.alert.stuck", "method", al.Method, "answer", answer,
				"error", html.EscapeString(reason), "minutes", minutes, "waiting", strconv.Itoa(al.Waiting),
				"chats", strconv.Itoa(al.Chats))
		}
		if _, err := tx.Enqueue(store.Message{ChatID: u.ID, Priority: store.PriorityReply, Text: text}); err != nil {
			return nil, nil, fmt.Errorf("delivery alert: %w", err)
		}
		sent = append(sent, u.ID)
	}
	return sent, skipped, nil
}

// ReplicationAlert is what the admins are told about the database's replica
// (store/replica): it has fallen behind, or it has recovered.
type ReplicationAlert struct {
	// Recovered: the replica caught up again after an alert.
	Recovered bool
	// Behind is how far the replica is behind; Error the last sync's error.
	Behind time.Duration
	Error  string
}

// AlertReplication tells every admin about the replica.
func (a *App) AlertReplication(tx *store.Tx, al ReplicationAlert) (sent []int64, err error) {
	admins, err := tx.UsersWithRole(store.RoleAdmin)
	if err != nil {
		return nil, fmt.Errorf("replication alert: %w", err)
	}
	minutes := strconv.Itoa(max(1, int(al.Behind.Round(time.Minute)/time.Minute)))
	reason := al.Error
	if reason == "" {
		reason = "-"
	}
	for _, u := range admins {
		lang := a.lang(u)
		text := i18n.T(lang, "rep.alert.behind", "minutes", minutes, "error", html.EscapeString(reason))
		if al.Recovered {
			text = i18n.T(lang, "rep.alert.recovered")
		}
		if _, err := tx.Enqueue(store.Message{ChatID: u.ID, Priority: store.PriorityReply, Text: text}); err != nil {
			return nil, fmt.Errorf("replication alert: %w", err)
		}
		sent = append(sent, u.ID)
	}
	return sent, nil
}
