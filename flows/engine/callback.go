package engine

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
)

// CallbackKind is the kind of every button the engine draws: its
// callback_data is "f:nonce:op:arg", which the host's parser must accept and
// hand to OnCallback.
const CallbackKind = "f"

// maxCallbackData is Telegram's limit on a button's callback_data, in bytes.
const maxCallbackData = 64

// maxArg bounds a callback's argument (an option value, a step key), leaving
// room for the kind, nonce and op within maxCallbackData.
const maxArg = 40

// Callback ops of the engine's buttons.
const (
	opChoose = "o" // Arg: option value
	opToggle = "t" // Arg: option value (several-choice step)
	opDone   = "d" // finish a several-choice or photos step
	opEdit   = "e" // Arg: step key, from the summary
	opSave   = "s" // save, from the summary
	opCancel = "x"
	opBack   = "b"
	opSkip   = "k"
	opPage   = "p" // Arg: the page of a long choice to show
	opKeep   = "v" // take the answer already there (a default, or when editing)
)

// Ops are the ops of the engine's buttons, for the host's parser to accept.
func Ops() []string {
	return []string{opChoose, opToggle, opDone, opEdit, opSave, opCancel, opBack, opSkip, opPage, opKeep}
}

// Callback is a parsed callback_data, "kind:nonce:op:arg"; the host parses
// and checks it (it knows every kind) before giving it to OnCallback.
type Callback struct {
	Kind, Nonce, Op, Arg string
}

// data encodes a button of the engine; a failure here is a bug in a
// declaration that validation should have caught, so it is returned as an
// error.
func data(nonce, op, arg string) (string, error) {
	if nonce == "" || len(nonce) > 20 || !alnum(nonce, "-") || len(arg) > maxArg || !alnum(arg, "._-") {
		return "", fmt.Errorf("engine: bad button data %q %q %q", nonce, op, arg)
	}
	s := CallbackKind + ":" + nonce + ":" + op + ":" + arg
	if len(s) > maxCallbackData {
		return "", fmt.Errorf("engine: button data %q is %d bytes", s, len(s))
	}
	return s, nil
}

func alnum(s, extra string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(extra, r)) {
			return false
		}
	}
	return true
}

const nonceAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

// newNonce returns a short random nonce. Random, not a counter: a counter restarts
// with a reset conversation and would let an old button match a new prompt.
func newNonce() string {
	b := make([]byte, 6)
	rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	for i := range b {
		b[i] = nonceAlphabet[int(b[i])%len(nonceAlphabet)]
	}
	return string(b)
}

func itoa(n int) string { return strconv.Itoa(n) }
