package flows

import (
	"errors"
	"fmt"
	"strings"

	"dinsosbot/flows/engine"
)

// MaxCallbackData is Telegram's limit on a button's callback_data, in bytes.
const MaxCallbackData = 64

// maxArg bounds a callback's argument (an option value, a step key), leaving room
// for the kind, nonce and op within MaxCallbackData.
const maxArg = 40

// Callback kinds: what a button belongs to.
const (
	cbFlow     = "f"  // a conversation step (engine.CallbackKind); Nonce is the step's nonce
	cbApproval = "ap" // an approval request; Nonce is its id
	cbLanguage = "lg" // the language picker; Nonce is unused ("-")
	cbMeeting  = "mt" // a meeting invitation or report; Nonce is the meeting id
)

// opChoose picks the language in the language picker (cbLanguage); the
// ops of cbFlow are the engine's own.
const opChoose = "o"

// Callback ops of cbApproval.
const (
	opApprove = "y"
	opReject  = "n"
	opBlock   = "z"
)

// Callback is a parsed callback_data: "kind:nonce:op:arg".
type Callback struct {
	Kind, Nonce, Op, Arg string
}

var validOps = map[string]map[string]bool{
	cbFlow:     setOf(engine.Ops()),
	cbApproval: {opApprove: true, opReject: true, opBlock: true},
	cbLanguage: {opChoose: true},
	cbMeeting:  meetingOps,
}

// ErrBadCallback is returned by ParseCallback for data this bot never produced.
var ErrBadCallback = errors.New("flows: malformed callback data")

// ParseCallback reads callback_data. It accepts exactly what Encode produces, so
// forged or truncated data is refused before any flow sees it.
func ParseCallback(data string) (Callback, error) {
	if len(data) > MaxCallbackData {
		return Callback{}, fmt.Errorf("%w: %d bytes", ErrBadCallback, len(data))
	}
	parts := strings.Split(data, ":")
	if len(parts) != 4 {
		return Callback{}, fmt.Errorf("%w: %d parts", ErrBadCallback, len(parts))
	}
	cb := Callback{Kind: parts[0], Nonce: parts[1], Op: parts[2], Arg: parts[3]}
	if err := cb.check(); err != nil {
		return Callback{}, err
	}
	return cb, nil
}

// Encode returns cb as callback_data.
func (cb Callback) Encode() (string, error) {
	if err := cb.check(); err != nil {
		return "", err
	}
	s := cb.Kind + ":" + cb.Nonce + ":" + cb.Op + ":" + cb.Arg
	if len(s) > MaxCallbackData {
		return "", fmt.Errorf("%w: %q is %d bytes", ErrBadCallback, s, len(s))
	}
	return s, nil
}

func (cb Callback) check() error {
	ops, ok := validOps[cb.Kind]
	if !ok || !ops[cb.Op] {
		return fmt.Errorf("%w: kind %q op %q", ErrBadCallback, cb.Kind, cb.Op)
	}
	if cb.Nonce == "" || len(cb.Nonce) > 20 || !alnum(cb.Nonce, "-") {
		return fmt.Errorf("%w: nonce %q", ErrBadCallback, cb.Nonce)
	}
	if len(cb.Arg) > maxArg || !alnum(cb.Arg, "._-") {
		return fmt.Errorf("%w: arg %q", ErrBadCallback, cb.Arg)
	}
	return nil
}

func setOf(ops []string) map[string]bool {
	m := make(map[string]bool, len(ops))
	for _, op := range ops {
		m[op] = true
	}
	return m
}

func alnum(s, extra string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(extra, r)) {
			return false
		}
	}
	return true
}

// data encodes a button the bot itself declares; a failure here is a bug in a
// declaration that validation should have caught, so it is returned as an error.
func data(kind, nonce, op, arg string) (string, error) {
	return Callback{Kind: kind, Nonce: nonce, Op: op, Arg: arg}.Encode()
}
