package main

import (
	"strings"
	"testing"
)

// A bot token pasted by mistake into the config, under telegram.token_env
// (which names the variable holding it) or any other key, is never printed:
// not in the config error, not by run, whose error main prints.
func TestConfigNeverPrintsAToken(t *testing.T) {
	const token = "7123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	const secret = "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	tests := []struct {
		name string
		body string
		want string
	}{
		{"token as token_env", "telegram:\n  token_env: \"" + token + "\"\n",
			"token_env must name an environment variable, not hold the token"},
		{"token with a bot prefix", "telegram:\n  token_env: bot" + token + "\n",
			"token_env must name an environment variable, not hold the token"},
		{"secret half as token_env", "telegram:\n  token_env: " + secret + "\n",
			"token_env must name an environment variable, not hold the token"},
		{"token_env not a name", "telegram:\n  token_env: \"MY TOKEN\"\n", "telegram.token_env: must name an environment variable"},
		{"token in the endpoint", "telegram:\n  api_endpoint: https://api.telegram.org/bot" + token + "\n",
			"telegram.api_endpoint: must be the Bot API's address without the token"},
		{"token as the endpoint", "telegram:\n  api_endpoint: \"" + token + "\"\n", "telegram.api_endpoint"},
		{"token as a duration", "telegram:\n  poll_timeout: \"" + token + "\"\n", "is not a duration"},
		{"token as the language", "language: \"" + token + "\"\n", "language"},
		{"token as the time zone", "time_zone: \"" + token + "\"\n", "time_zone"},
		{"token as an admin", "admins: [\"" + token + "\"]\n", "line 1"},
		{"token as the log level", "log:\n  level: \"" + token + "\"\n", "log.level"},
		{"token as the case prefix", "case_code_prefix: \"" + token + "\"\n", "case_code_prefix"},
		{"token as the listen address", "http:\n  listen: \"" + token + "\"\n", "http.listen"},
		{"token as a backup schedule", "backup:\n  dir: b\n  schedule: \"" + token + "\"\n", "backup.schedule"},
		{"token as a digest schedule", "schedules:\n  digest_daily: \"" + token + "\"\n", "schedules.digest_daily"},
		{"token as an unknown key", "telegram:\n  \"" + token + "\": x\n", "unknown key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.body)
			_, err := LoadConfig(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadConfig error = %v, want one containing %q", err, tc.want)
			}
			var out, errOut strings.Builder
			runErr := run(t.Context(), []string{"-config", path}, strings.NewReader(""), &out, &errOut,
				func(string) string { return "" })
			if runErr == nil {
				t.Fatalf("run with this config started (stdout %q)", out.String())
			}
			for what, text := range map[string]string{"config error": err.Error(), "run error": runErr.Error(),
				"stdout": out.String(), "stderr": errOut.String()} {
				if strings.Contains(text, secret) || strings.Contains(text, secret[:12]) {
					t.Errorf("%s shows the token: %s", what, text)
				}
			}
		})
	}
	// A real variable's name still works, in any case.
	for _, name := range []string{"TELEGRAM_BOT_TOKEN", "dinsosbot_token", "_T0KEN"} {
		if _, err := LoadConfig(writeConfig(t, "telegram:\n  token_env: "+name+"\n")); err != nil {
			t.Errorf("token_env %s: %v", name, err)
		}
	}
}
