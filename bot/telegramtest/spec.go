package telegramtest

//go:generate go run ./internal/specgen -in ../../../shared/telegram-bot-api-spec/api.json -out spec_table.go

// specField describes one parameter of a method or one field of an object
// type, as published in the Bot API description.
type specField struct {
	Name string
	// Types lists the accepted alternatives separated by "|", e.g.
	// "Integer|String" or "Array of MessageEntity".
	Types    string
	Required bool
	// Const is the fixed value of a subtype's discriminator ("chat" for
	// BotCommandScopeChat.type); empty for ordinary fields.
	Const string
}

type specObject struct {
	Fields   []specField
	Subtypes []string
}
