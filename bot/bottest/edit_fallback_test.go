package bottest_test

import (
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
)

// A form's next question is edited into the pressed one (one call per step).
// When that edit fails for good (the person deleted the message, it is too
// old, or the Bot API server answers 4xx to editMessageText), the question is
// sent as a new message instead, and its buttons work: the form never waits
// for a question nobody can see.
func TestPromptEditFailsSentAsNewMessage(t *testing.T) {
	for _, f := range []telegramtest.Fault{
		{Kind: telegramtest.FaultForeignJSON, Status: 400},
		{Kind: telegramtest.FaultHTML, Status: 403},
	} {
		t.Run(f.Kind.String(), func(t *testing.T) {
			h := bottest.Start(t, bottest.Options{})
			u := actor{t, h.NewUser("Sri"), wait}
			seedWorker(t, h, u.User, "")
			first := u.send("/lapor", "kelompok")
			h.Server.FailAlways("editMessageText", f)
			got := u.press("👶 Anak", "kategori")
			if got.ID == first.ID {
				t.Fatalf("the category question came as an edit of message %d, which cannot be edited", first.ID)
			}
			u.press("Anak Telantar", "nama lengkap")
			h.Server.Heal("editMessageText")
			u.send("Siti Aminah", "NIK")
			var fellBack int
			must(t, h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND fallback_of = 'edit_text'
				AND status = 'sent'`, u.ID()).Scan(&fellBack))
			if fellBack < 1 {
				t.Errorf("%d edits sent as new messages, want at least 1", fellBack)
			}
		})
	}
}
