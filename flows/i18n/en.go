package i18n

// en is the English catalogue; it must have every key of id.
var en = map[string]string{
	"start.greeting": "Hello, {name}! 👋\nI am <b>{bot}</b>, the field reporting assistant of {office}.\n\n" +
		"With this bot community social workers (PSM) and TKSK can:\n" +
		"• report PMKS cases,\n• answer meeting invitations and check in,\n• receive reminders.\n\n" +
		"Type /bantuan for the list of commands.",
	"help.text": "<b>Commands</b>\n" +
		"/start — start\n" +
		"/bantuan — this list of commands\n" +
		"/bahasa — change language\n" +
		"/batal — cancel the form in progress",
	"hint.unknown":    "Sorry, I did not understand that. Type /start to begin or /bantuan for the list of commands.",
	"error.apology":   "Sorry, something went wrong while handling your message. Please try again in a moment.",
	"group.private":   "Please talk to me in a private chat: {link}",
	"cmd.start":       "Start",
	"cmd.help":        "List of commands",
	"cmd.language":    "Change language",
	"cmd.cancel":      "Cancel the form",
	"language.choose": "Choose a language:",
	"language.set":    "Language changed to English.",
}
