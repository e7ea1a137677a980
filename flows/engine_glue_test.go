package flows

import "testing"

// Every button the engine can draw is accepted by the bot's parser, so a
// press reaches the engine; the engine's kind is the flows' cbFlow.
func TestEngineButtonsParse(t *testing.T) {
	for _, d := range []string{"f:abc234:o:k1", "f:abc234:t:k1", "f:abc234:d:", "f:abc234:e:name", "f:abc234:s:",
		"f:abc234:x:", "f:abc234:b:", "f:abc234:k:", "f:abc234:p:2"} {
		cb, err := ParseCallback(d)
		if err != nil || cb.Kind != cbFlow {
			t.Errorf("ParseCallback(%q) = %+v, %v", d, cb, err)
		}
	}
}
