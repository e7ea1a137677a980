package telegramtest_test

import (
	"fmt"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"dinsosbot/bot/telegramtest"
)

// A test starts the fake, points the real client at it, plays a user and
// checks what the user sees and that the bot broke no rule of the Bot API.
func Example() {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	bot, err := tgbotapi.NewBotAPIWithAPIEndpoint(srv.Token(), srv.APIEndpoint())
	if err != nil {
		panic(err)
	}

	siti := srv.NewUser(telegramtest.UserOptions{FirstName: "Siti"})
	siti.OpenDeepLink("rakor-2026")

	// The bot side: read the update, answer with a keyboard.
	updates, _ := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 1})
	start := updates[0].Message
	fmt.Println("bot got:", start.Command(), start.CommandArguments())
	reply := tgbotapi.NewMessage(start.Chat.ID, "Hadir di rakor?")
	reply.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("Hadir", "rsvp:yes"),
		tgbotapi.NewInlineKeyboardButtonData("Tidak", "rsvp:no")))
	if _, err := bot.Send(reply); err != nil {
		panic(err)
	}

	// The user side: wait for the question, press a button.
	msg, err := siti.WaitForText(time.Second, "rakor")
	if err != nil {
		panic(err)
	}
	fmt.Println("Siti sees:", msg.Text, len(msg.InlineKeyboard[0]), "buttons")
	if err := siti.Press("Hadir"); err != nil {
		panic(err)
	}

	updates, _ = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: updates[0].UpdateID + 1, Timeout: 1})
	cq := updates[0].CallbackQuery
	fmt.Println("bot got callback:", cq.Data, "on message", cq.Message.MessageID)
	if _, err := bot.Request(tgbotapi.NewCallback(cq.ID, "Tercatat")); err != nil {
		panic(err)
	}

	fmt.Println("answers:", siti.CallbackAnswers()[0].Text)
	fmt.Println("violations:", len(srv.Violations()))
	// Output:
	// bot got: start rakor-2026
	// Siti sees: Hadir di rakor? 2 buttons
	// bot got callback: rsvp:yes on message 2
	// answers: Tercatat
	// violations: 0
}
