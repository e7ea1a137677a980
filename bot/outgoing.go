package bot

import (
	"fmt"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"dinsosbot/store"
)

// chattable turns an outbox message into the library's request. Edits and
// deletions of a message known only by its outbox row are resolved here, when
// that row has been sent (rows of one chat go in order, so it has).
func (s *sender) chattable(m store.Message) (tgbotapi.Chattable, error) {
	target, kind := m.MessageID, m.Kind
	if m.EditOf != 0 {
		id, was, err := s.db.SentMessage(m.EditOf)
		if err != nil {
			return nil, err
		}
		if target == 0 {
			target = id
		}
		if target == 0 {
			return nil, fmt.Errorf("outbox row %d was never sent; nothing to edit", m.EditOf)
		}
		// An edit of a row's content follows what the row became: a photo
		// notice takes a caption edit, and one that fell back to text (or an
		// older text notice) a text edit.
		if kind == store.KindEditText || kind == store.KindEditCaption {
			kind = store.KindEditText
			if was == store.KindPhoto || was == store.KindDocument {
				kind = store.KindEditCaption
			}
		}
	}
	switch kind {
	case store.KindSend:
		msg := tgbotapi.NewMessage(m.ChatID, m.Text)
		msg.ParseMode = tgbotapi.ModeHTML
		msg.DisableWebPagePreview = true
		msg.ReplyMarkup = replyMarkup(m)
		return msg, nil
	case store.KindEditText:
		edit := tgbotapi.NewEditMessageText(m.ChatID, target, m.Text)
		edit.ParseMode = tgbotapi.ModeHTML
		edit.DisableWebPagePreview = true
		edit.ReplyMarkup = inlineKeyboard(m.Buttons)
		return edit, nil
	case store.KindEditCaption:
		edit := tgbotapi.NewEditMessageCaption(m.ChatID, target, m.Text)
		edit.ParseMode = tgbotapi.ModeHTML
		edit.ReplyMarkup = inlineKeyboard(m.Buttons)
		return edit, nil
	case store.KindEditButtons:
		kb := inlineKeyboard(m.Buttons)
		if kb == nil {
			kb = &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}}
		}
		return tgbotapi.NewEditMessageReplyMarkup(m.ChatID, target, *kb), nil
	case store.KindDelete:
		return tgbotapi.NewDeleteMessage(m.ChatID, target), nil
	case store.KindAnswerCallback:
		cb := tgbotapi.NewCallback(m.CallbackID, m.Text)
		cb.ShowAlert = m.Alert
		return cb, nil
	case store.KindPhoto:
		p := tgbotapi.NewPhoto(m.ChatID, outgoingFile(m))
		p.Caption = m.Text
		p.ParseMode = tgbotapi.ModeHTML
		p.ReplyMarkup = replyMarkup(m)
		return p, nil
	case store.KindDocument:
		d := tgbotapi.NewDocument(m.ChatID, outgoingFile(m))
		d.Caption = m.Text
		d.ParseMode = tgbotapi.ModeHTML
		d.ReplyMarkup = replyMarkup(m)
		return d, nil
	case store.KindLocation:
		return tgbotapi.NewLocation(m.ChatID, m.Latitude, m.Longitude), nil
	case store.KindChatAction:
		return tgbotapi.NewChatAction(m.ChatID, m.Action), nil
	case store.KindSetCommands:
		cmds := make([]tgbotapi.BotCommand, 0, len(m.Commands))
		for _, c := range m.Commands {
			cmds = append(cmds, tgbotapi.BotCommand{Command: c.Command, Description: c.Description})
		}
		if m.Scope == "" {
			return tgbotapi.NewSetMyCommands(cmds...), nil
		}
		return tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(m.ChatID), cmds...), nil
	}
	return nil, fmt.Errorf("unknown outbox kind %q", m.Kind)
}

// outgoingFile is a photo's or document's file: by file_id when it is already
// on Telegram's servers, else the stored bytes.
func outgoingFile(m store.Message) tgbotapi.RequestFileData {
	if m.FileID != "" {
		return tgbotapi.FileID(m.FileID)
	}
	return tgbotapi.FileBytes{Name: m.FileName, Bytes: m.File}
}

// replyMarkup picks the one keyboard a message carries: inline buttons, a reply
// keyboard, or the removal of one.
func replyMarkup(m store.Message) any {
	switch {
	case len(m.Buttons) > 0:
		return inlineKeyboard(m.Buttons)
	case m.Reply != nil:
		rows := make([][]tgbotapi.KeyboardButton, 0, len(m.Reply.Buttons))
		for _, r := range m.Reply.Buttons {
			row := make([]tgbotapi.KeyboardButton, 0, len(r))
			for _, b := range r {
				row = append(row, tgbotapi.KeyboardButton{Text: b.Text, RequestContact: b.RequestContact,
					RequestLocation: b.RequestLocation})
			}
			rows = append(rows, row)
		}
		kb := tgbotapi.NewReplyKeyboard(rows...)
		kb.OneTimeKeyboard = m.Reply.OneTime
		return kb
	case m.RemoveReply:
		return tgbotapi.NewRemoveKeyboard(true)
	}
	return nil
}

func inlineKeyboard(rows [][]store.Button) *tgbotapi.InlineKeyboardMarkup {
	if len(rows) == 0 {
		return nil
	}
	kb := make([][]tgbotapi.InlineKeyboardButton, 0, len(rows))
	for _, r := range rows {
		row := make([]tgbotapi.InlineKeyboardButton, 0, len(r))
		for _, b := range r {
			if b.URL != "" {
				row = append(row, tgbotapi.NewInlineKeyboardButtonURL(b.Text, b.URL))
			} else {
				row = append(row, tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
			}
		}
		kb = append(kb, row)
	}
	return &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: kb}
}
