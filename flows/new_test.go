package flows_test

import (
	"testing"

	"dinsosbot/flows"
)

func TestNewValidatesBuiltins(t *testing.T) {
	a := flows.New(flows.Config{BotUsername: "dinsos_bot"})
	if got := len(a.Menus()); got != 1 {
		t.Fatalf("menus = %d, want 1", got)
	}
}
