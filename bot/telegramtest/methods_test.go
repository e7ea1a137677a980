package telegramtest

import (
	"bytes"
	"errors"
	"net/http"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestGetMe(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	if bot.Self.ID != 1000000 || bot.Self.UserName != "dinsos_test_bot" || !bot.Self.IsBot {
		t.Errorf("getMe = %+v", bot.Self)
	}
	if got := srv.Calls("getMe"); got != 1 {
		t.Errorf("Calls(getMe) = %d, want 1", got)
	}
	assertNoViolations(t, srv)
}

func TestSendAndEditMessage(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	u := srv.NewUser(UserOptions{FirstName: "Siti"})
	userMsg := u.SendText("/start")

	msg := tgbotapi.NewMessage(u.ID(), "<b>Halo</b> Siti &amp; tim")
	msg.ParseMode = tgbotapi.ModeHTML
	msg.ReplyMarkup = inlineKeyboard("Ya", "yes", "Tidak", "no")
	msg.ReplyToMessageID = userMsg
	sent, err := bot.Send(msg)
	if err != nil {
		t.Fatalf("sendMessage: %v", err)
	}
	if sent.MessageID != userMsg+1 || sent.Chat.ID != u.ID() || !sent.From.IsBot || sent.Date == 0 {
		t.Errorf("sent = %+v", sent)
	}
	if sent.Text != "Halo Siti & tim" || len(sent.Entities) != 1 || sent.Entities[0].Type != "bold" || sent.Entities[0].Length != 4 {
		t.Errorf("text %q entities %+v", sent.Text, sent.Entities)
	}
	if sent.ReplyToMessage == nil || sent.ReplyToMessage.MessageID != userMsg {
		t.Errorf("reply_to_message = %+v", sent.ReplyToMessage)
	}
	if sent.ReplyMarkup == nil || *sent.ReplyMarkup.InlineKeyboard[0][1].CallbackData != "no" {
		t.Errorf("reply_markup = %+v", sent.ReplyMarkup)
	}

	edited, err := bot.Send(tgbotapi.NewEditMessageTextAndMarkup(u.ID(), sent.MessageID, "Halo lagi", inlineKeyboard("OK", "ok")))
	if err != nil {
		t.Fatalf("editMessageText: %v", err)
	}
	if edited.Text != "Halo lagi" || edited.EditDate == 0 {
		t.Errorf("edited = %+v", edited)
	}
	if _, err := bot.Send(tgbotapi.NewEditMessageReplyMarkup(u.ID(), sent.MessageID, inlineKeyboard("Lanjut", "next"))); err != nil {
		t.Fatalf("editMessageReplyMarkup: %v", err)
	}
	last, ok := u.Last()
	if !ok || last.Text != "Halo lagi" || !last.Edited || last.InlineKeyboard[0][0] != (Button{Text: "Lanjut", CallbackData: "next"}) {
		t.Errorf("user sees %+v", last)
	}
	// Like Telegram, an edit without reply_markup removes the keyboard.
	if _, err := bot.Send(tgbotapi.NewEditMessageText(u.ID(), sent.MessageID, "Selesai")); err != nil {
		t.Fatalf("editMessageText: %v", err)
	}
	if last, _ := u.Last(); last.InlineKeyboard != nil || last.Text != "Selesai" {
		t.Errorf("after edit without markup: %+v", last)
	}

	if _, err := bot.Request(tgbotapi.NewDeleteMessage(u.ID(), sent.MessageID)); err != nil {
		t.Fatalf("deleteMessage: %v", err)
	}
	if msgs := u.Messages(); len(msgs) != 1 || !msgs[0].Deleted {
		t.Errorf("after delete: %+v", msgs)
	}
	assertNoViolations(t, srv)
}

func TestReplyKeyboardAndRemove(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	u := srv.NewUser(UserOptions{})
	msg := tgbotapi.NewMessage(u.ID(), "Bagikan nomor")
	msg.ReplyMarkup = tgbotapi.NewOneTimeReplyKeyboard(tgbotapi.NewKeyboardButtonRow(
		tgbotapi.NewKeyboardButtonContact("Kirim nomor"), tgbotapi.NewKeyboardButtonLocation("Kirim lokasi")))
	if _, err := bot.Send(msg); err != nil {
		t.Fatal(err)
	}
	rm := tgbotapi.NewMessage(u.ID(), "Terima kasih")
	rm.ReplyMarkup = tgbotapi.NewRemoveKeyboard(true)
	if _, err := bot.Send(rm); err != nil {
		t.Fatal(err)
	}
	msgs := u.Messages()
	if kb := msgs[0].ReplyKeyboard; len(kb) != 1 || !kb[0][0].RequestContact || !kb[0][1].RequestLocation {
		t.Errorf("reply keyboard = %+v", kb)
	}
	if !msgs[1].RemoveKeyboard {
		t.Errorf("remove_keyboard not seen: %+v", msgs[1])
	}
	assertNoViolations(t, srv)
}

func TestPhotoUploadResendAndDownload(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	u := srv.NewUser(UserOptions{})
	img := testJPEG(t, 320, 200)

	photo := tgbotapi.NewPhoto(u.ID(), tgbotapi.FileBytes{Name: "kasus.jpg", Bytes: img})
	photo.Caption = "Foto <i>kasus</i>"
	photo.ParseMode = tgbotapi.ModeHTML
	sent, err := bot.Send(photo)
	if err != nil {
		t.Fatalf("sendPhoto: %v", err)
	}
	if len(sent.Photo) < 2 || sent.Caption != "Foto kasus" {
		t.Fatalf("sent photo = %+v caption %q", sent.Photo, sent.Caption)
	}
	largest := sent.Photo[len(sent.Photo)-1]
	if largest.Width != 320 || largest.Height != 200 || sent.Photo[0].Width >= largest.Width {
		t.Errorf("sizes = %+v", sent.Photo)
	}
	if got := download(t, srv, bot, largest.FileID); !bytes.Equal(got, img) {
		t.Errorf("downloaded %d bytes, want the %d uploaded", len(got), len(img))
	}
	if got := download(t, srv, bot, sent.Photo[0].FileID); len(got) == 0 || bytes.Equal(got, img) {
		t.Errorf("thumbnail should be a smaller image, got %d bytes", len(got))
	}

	again, err := bot.Send(tgbotapi.NewPhoto(u.ID(), tgbotapi.FileID(largest.FileID)))
	if err != nil {
		t.Fatalf("sendPhoto by file_id: %v", err)
	}
	if again.Photo[len(again.Photo)-1].FileID != largest.FileID {
		t.Errorf("re-sent photo = %+v", again.Photo)
	}
	if _, err := bot.Send(tgbotapi.NewEditMessageCaption(u.ID(), sent.MessageID, "Foto baru")); err != nil {
		t.Fatalf("editMessageCaption: %v", err)
	}
	msgs := u.Messages()
	if msgs[0].Kind != "photo" || msgs[0].Caption != "Foto baru" || !bytes.Equal(msgs[0].File, img) {
		t.Errorf("user sees %+v", msgs[0].String())
	}
	assertNoViolations(t, srv)
}

func TestDocumentUploadAndDownload(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	u := srv.NewUser(UserOptions{})
	data := []byte("nama,kecamatan\nSiti,Telanaipura\n")
	doc := tgbotapi.NewDocument(u.ID(), tgbotapi.FileBytes{Name: "daftar_hadir.csv", Bytes: data})
	doc.Caption = "Daftar hadir"
	sent, err := bot.Send(doc)
	if err != nil {
		t.Fatalf("sendDocument: %v", err)
	}
	if sent.Document == nil || sent.Document.FileName != "daftar_hadir.csv" || sent.Document.FileSize != len(data) {
		t.Fatalf("document = %+v", sent.Document)
	}
	if got := download(t, srv, bot, sent.Document.FileID); !bytes.Equal(got, data) {
		t.Errorf("downloaded %q", got)
	}
	if m, _ := u.Last(); m.Kind != "document" || m.FileName != "daftar_hadir.csv" || !bytes.Equal(m.File, data) {
		t.Errorf("user sees %+v", m)
	}
	if _, err := bot.Send(tgbotapi.NewDocument(u.ID(), tgbotapi.FileID(sent.Document.FileID))); err != nil {
		t.Errorf("sendDocument by file_id: %v", err)
	}
	assertNoViolations(t, srv)
}

func TestUserFilesReachTheBot(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	u := srv.NewUser(UserOptions{})
	img := testJPEG(t, 64, 48)
	u.SendPhoto(img, "rumah warga")
	u.SendDocument("surat.pdf", []byte("%PDF-1.4"), "")
	u.SendVoice([]byte("OggS voice"), 7)
	ups := pollOnce(t, bot, 0)
	if len(ups) != 3 {
		t.Fatalf("got %d updates", len(ups))
	}
	p := ups[0].Message
	if len(p.Photo) < 2 || p.Caption != "rumah warga" {
		t.Fatalf("photo update = %+v", p)
	}
	if got := download(t, srv, bot, p.Photo[len(p.Photo)-1].FileID); !bytes.Equal(got, img) {
		t.Errorf("user photo downloads as %d bytes", len(got))
	}
	d := ups[1].Message.Document
	if d == nil || d.FileName != "surat.pdf" || d.MimeType != "application/pdf" {
		t.Fatalf("document update = %+v", d)
	}
	if got := download(t, srv, bot, d.FileID); string(got) != "%PDF-1.4" {
		t.Errorf("user document downloads as %q", got)
	}
	v := ups[2].Message.Voice
	if v == nil || v.Duration != 7 || v.MimeType != "audio/ogg" || v.FileSize != len("OggS voice") {
		t.Fatalf("voice update = %+v", v)
	}
	if got := download(t, srv, bot, v.FileID); string(got) != "OggS voice" {
		t.Errorf("user voice note downloads as %q", got)
	}
	assertNoViolations(t, srv)
}

func TestLocationChatActionAndWebhookMethods(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	u := srv.NewUser(UserOptions{})
	sent, err := bot.Send(tgbotapi.NewLocation(u.ID(), -1.6101, 103.6131))
	if err != nil {
		t.Fatalf("sendLocation: %v", err)
	}
	if sent.Location == nil || sent.Location.Latitude != -1.6101 {
		t.Errorf("location = %+v", sent.Location)
	}
	if m, _ := u.Last(); m.Kind != "location" || m.Longitude != 103.6131 {
		t.Errorf("user sees %+v", m)
	}
	if _, err := bot.Request(tgbotapi.NewChatAction(u.ID(), tgbotapi.ChatTyping)); err != nil {
		t.Errorf("sendChatAction: %v", err)
	}
	if _, err := bot.Request(tgbotapi.DeleteWebhookConfig{DropPendingUpdates: true}); err != nil {
		t.Errorf("deleteWebhook: %v", err)
	}
	u.SendText("halo")
	info, err := bot.GetWebhookInfo()
	if err != nil || info.URL != "" || info.PendingUpdateCount != 1 {
		t.Errorf("getWebhookInfo = %+v, %v", info, err)
	}
	wh, _ := tgbotapi.NewWebhook("https://example.org/hook")
	if _, err := bot.Request(wh); err != nil {
		t.Fatalf("setWebhook: %v", err)
	}
	_, err = bot.GetUpdates(tgbotapi.UpdateConfig{})
	var tgErr *tgbotapi.Error
	if !errors.As(err, &tgErr) || tgErr.Code != http.StatusConflict {
		t.Errorf("getUpdates with a webhook set: %v, want 409", err)
	}
	assertNoViolations(t, srv)
}

func TestCommands(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	cmds := []tgbotapi.BotCommand{{Command: "start", Description: "Mulai"}, {Command: "lapor", Description: "Laporkan kasus PMKS"}}
	if _, err := bot.Request(tgbotapi.NewSetMyCommands(cmds...)); err != nil {
		t.Fatalf("setMyCommands: %v", err)
	}
	admin := []tgbotapi.BotCommand{{Command: "broadcast", Description: "Kirim pengumuman"}}
	if _, err := bot.Request(tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeChat(42), "en", admin...)); err != nil {
		t.Fatalf("setMyCommands with scope: %v", err)
	}
	got, err := bot.GetMyCommands()
	if err != nil || len(got) != 2 || got[1].Command != "lapor" {
		t.Errorf("getMyCommands = %+v, %v", got, err)
	}
	set := srv.CommandsSet()
	if len(set["default"]) != 2 || len(set["chat:42@en"]) != 1 {
		t.Errorf("CommandsSet = %+v", set)
	}
	if _, err := bot.Request(tgbotapi.NewDeleteMyCommands()); err != nil {
		t.Fatalf("deleteMyCommands: %v", err)
	}
	if got, _ := bot.GetMyCommands(); len(got) != 0 {
		t.Errorf("after delete: %+v", got)
	}
	assertNoViolations(t, srv)
}
