package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// TestMediaFallback: the text that stands in for media Telegram would not
// take, in the chat person's language, with what the media said, escaped.
func TestMediaFallback(t *testing.T) {
	w := newWorld(t, flows.Config{})
	const idUser, enUser = 501, 502
	must2(t, w.db.Update(context.Background(), func(tx *store.Tx) error {
		for _, id := range []int64{idUser, enUser} {
			if _, err := tx.TouchUser(id, "Sri", ""); err != nil {
				return err
			}
		}
		return tx.SetLanguage(enUser, "en")
	}))
	buttons := [][]store.Button{{{Text: "Buka", Data: "x"}}}
	tests := []struct {
		name string
		in   store.Message
		want []string
	}{
		{"case photo", store.Message{Kind: store.KindPhoto, ChatID: idUser, Priority: store.PriorityNotice,
			FileID: "f", Text: "📷 <b>JMB-26-00001</b> · foto 1 dari 2"},
			[]string{"📷 <b>JMB-26-00001</b> · foto 1 dari 2\n\n", "Foto ini tidak dapat dikirim"}},
		{"photo in English, buttons kept", store.Message{Kind: store.KindPhoto, ChatID: enUser, FileID: "f",
			Text: "QR", Buttons: buttons}, []string{"QR\n\n", "This photo could not be sent"}},
		{"photo without caption", store.Message{Kind: store.KindPhoto, ChatID: idUser, FileID: "f"},
			[]string{"Foto ini tidak dapat dikirim"}},
		{"location", store.Message{Kind: store.KindLocation, ChatID: idUser, Latitude: -1.6101, Longitude: 103.6131},
			[]string{`<a href="https://maps.google.com/?q=-1.610100,103.613100">-1.610100, 103.613100</a>`, "peta"}},
		{"document, name escaped", store.Message{Kind: store.KindDocument, ChatID: enUser, FileName: "<laporan>.xlsx",
			Text: "Export"}, []string{"Export\n\n", "\"&lt;laporan&gt;.xlsx\" could not be sent"}},
		{"group chat: the default language", store.Message{Kind: store.KindLocation, ChatID: -100, Latitude: 1, Longitude: 2},
			[]string{"Lokasi:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got store.Message
			must2(t, w.db.Update(context.Background(), func(tx *store.Tx) error {
				var err error
				got, err = w.app.MediaFallback(tx, tt.in)
				return err
			}))
			if got.Kind != store.KindSend || got.ChatID != tt.in.ChatID || got.Priority != tt.in.Priority ||
				len(got.Buttons) != len(tt.in.Buttons) {
				t.Errorf("fallback %+v does not keep chat, priority and buttons of %+v", got, tt.in)
			}
			for _, want := range tt.want {
				if !strings.Contains(got.Text, want) {
					t.Errorf("text %q lacks %q", got.Text, want)
				}
			}
		})
	}
	err := w.db.Update(context.Background(), func(tx *store.Tx) error {
		_, err := w.app.MediaFallback(tx, store.Message{Kind: store.KindSend, ChatID: idUser, Text: "x"})
		return err
	})
	if err == nil {
		t.Error("a text message got a fallback")
	}
}

// TestAlertAdmins: the delivery alert goes to every active admin in their
// language, except the one whose chat is stuck; the error is escaped.
func TestAlertAdmins(t *testing.T) {
	w := newWorld(t, flows.Config{})
	const stuck, en, worker = 601, 602, 603
	must2(t, w.db.Update(context.Background(), func(tx *store.Tx) error {
		for _, id := range []int64{stuck, en, worker} {
			if _, err := tx.TouchUser(id, "A", ""); err != nil {
				return err
			}
		}
		for _, id := range []int64{stuck, en} {
			if err := tx.SetRole(id, store.RoleAdmin, []string{"*"}); err != nil {
				return err
			}
		}
		return tx.SetLanguage(en, "en")
	}))
	var sent, skipped []int64
	must2(t, w.db.Update(context.Background(), func(tx *store.Tx) error {
		var err error
		sent, skipped, err = w.app.AlertAdmins(tx, flows.DeliveryAlert{Method: "sendPhoto", Status: 502,
			Error: "no Telegram envelope: <b>502</b>", Chats: 2, Waiting: 7, Since: 3 * time.Minute},
			func(chat int64) bool { return chat == stuck })
		return err
	}))
	if len(sent) != 1 || sent[0] != en || len(skipped) != 1 || skipped[0] != stuck {
		t.Fatalf("sent %v, skipped %v", sent, skipped)
	}
	rows, err := w.db.PendingOutbox(10)
	must2(t, err)
	if len(rows) != 1 || rows[0].Message.ChatID != en {
		t.Fatalf("outbox %+v, want one alert to the English admin", rows)
	}
	text := rows[0].Message.Text
	for _, want := range []string{"sendPhoto answered HTTP 502 for 3 minutes", "&lt;b&gt;502&lt;/b&gt;",
		"7 messages waiting in 2 chats"} {
		if !strings.Contains(text, want) {
			t.Errorf("alert %q lacks %q", text, want)
		}
	}
}
