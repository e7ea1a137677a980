package engine

import "time"

// EventKind says what happened.
type EventKind int

// The kinds of event the runtime delivers.
const (
	EventMessage  EventKind = iota + 1 // text, command, location, contact, photo, document
	EventCallback                      // an inline button was pressed
	EventMember                        // the bot was blocked, unblocked, added or removed
)

// Event is one Telegram update in the terms flows care about.
type Event struct {
	UpdateID int
	Kind     EventKind
	// Date is when the message was sent by the phone (not when the bot got it),
	// in UTC; for callbacks, the time the runtime handled it.
	Date time.Time

	ChatID   int64
	ChatType string // "private", "group", "supergroup", "channel"

	UserID       int64
	FirstName    string
	LastName     string
	Username     string
	LanguageCode string

	MessageID int    // the user's message (to delete a NIK, for example)
	Text      string // full text or caption
	// Command is the command without the slash and @botname, lower case ("start");
	// Args is the rest of the text, trimmed.
	Command string
	Args    string

	CallbackID        string
	CallbackData      string
	CallbackMessageID int // the bot message whose button was pressed

	Location *Location
	Contact  *Contact
	Photo    *Photo // the largest size of a photo
	Document *Document
	Audio    *Audio // a voice note or an audio file

	// Forwarded is set when the person forwarded the message from elsewhere
	// (Telegram's forward_origin): what it shows is not theirs, nor now.
	Forwarded bool

	// MemberStatus is the bot's new status in the chat for EventMember:
	// "member", "kicked", "left", "administrator", ...
	MemberStatus string
}

// Location is a point shared by the user.
type Location struct{ Latitude, Longitude float64 }

// Contact is a shared phone contact; UserID is 0 when the contact is not a
// Telegram user.
type Contact struct {
	PhoneNumber string
	FirstName   string
	UserID      int64
}

// Photo identifies a photo on Telegram's servers.
type Photo struct {
	FileID       string
	FileUniqueID string
	Width        int
	Height       int
	Size         int
}

// Document identifies a file on Telegram's servers.
type Document struct {
	FileID       string
	FileUniqueID string
	FileName     string
	MimeType     string
	Size         int
}

// Audio identifies a voice note (Voice) or an audio file on Telegram's
// servers.
type Audio struct {
	FileID       string `json:"id"`
	FileUniqueID string `json:"u,omitempty"`
	Duration     int    `json:"s,omitempty"` // seconds
	MimeType     string `json:"m,omitempty"`
	Size         int    `json:"b,omitempty"`
	FileName     string `json:"n,omitempty"`
	Voice        bool   `json:"v,omitempty"`
}

// Private reports whether the event came from a one-to-one chat with the bot.
func (e Event) Private() bool { return e.ChatType == "private" }
