package flows

import (
	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

var languageNames = map[i18n.Lang]string{i18n.ID: "🇮🇩 Bahasa Indonesia", i18n.EN: "🇬🇧 English"}

// cmdLanguage shows one button per catalogue language.
func (a *App) cmdLanguage(c *Ctx, _ *session) error {
	var row []store.Button
	for _, l := range i18n.Langs {
		d, err := data(cbLanguage, "-", opChoose, string(l))
		if err != nil {
			return err
		}
		row = append(row, store.Button{Text: languageNames[l], Data: d})
	}
	_, err := c.Send(store.Message{Text: c.T("language.choose"), Buttons: [][]store.Button{row}})
	return err
}

// chooseLanguage stores the choice and answers in the new language. The picker
// holds no state, so pressing it again is harmless.
func (a *App) chooseLanguage(c *Ctx, code string) error {
	lang := i18n.Parse(code, "")
	if lang == "" {
		return a.stale(c)
	}
	if err := c.Tx.SetLanguage(c.User.ID, string(lang)); err != nil {
		return err
	}
	c.User.Language, c.Lang = string(lang), lang
	if err := c.Answer(""); err != nil {
		return err
	}
	if _, err := c.Send(store.Message{Kind: store.KindEditText, MessageID: c.Ev.CallbackMessageID,
		Text: c.T("language.set")}); err != nil {
		return err
	}
	if isRegistered(c.User) {
		if _, err := c.Send(a.chatMenu(c.User)); err != nil {
			return err
		}
	}
	if s, open, err := a.loadSession(c); err != nil || !open {
		return err
	} else {
		return a.reprompt(c, s, "")
	}
}
