package main

import (
	"strings"
	"testing"

	"dinsosbot/flows"
)

// Retention: 90 days at 03.30 by default, passed to the flows; a period
// outside 7 to 3650 days or a bad schedule stops the bot at start, naming
// the key; off turns the job off.
func TestRetentionConfig(t *testing.T) {
	c, err := LoadConfig(writeConfig(t, "office: Dinas Sosial Kota Jambi\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.flows("bot").Retention; got != (flows.Retention{Days: 90, Spec: "30 3 * * *"}) {
		t.Errorf("default retention %+v", got)
	}
	if c, err = LoadConfig(writeConfig(t, "retention:\n  days: 30\n  schedule: \"off\"\n")); err != nil {
		t.Fatal(err)
	} else if got := c.flows("bot").Retention; got != (flows.Retention{Days: 30, Spec: flows.Off}) {
		t.Errorf("retention %+v", got)
	}
	for _, tc := range []struct{ body, want string }{
		{"retention:\n  days: 3\n", "retention.days: 3 must be 7 to 3650 days"},
		{"retention:\n  days: 40000\n", "retention.days"},
		{"retention:\n  schedule: \"30 27 * * *\"\n", "retention.schedule"},
		{"retention:\n  keep: 3\n", "unknown key \"keep\""},
	} {
		if _, err := LoadConfig(writeConfig(t, tc.body)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.body, err, tc.want)
		}
	}
}
