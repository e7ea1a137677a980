package flows_test

import (
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows"
	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// Settings a deployment gives the flows (main's config keys
// coordinator_groups, case_code_prefix and meetings.checkin_lead), shown
// through the whole bot.

// TestCoordinatorGroups: in a group configured for coordinators a
// coordinator's command is answered there; anywhere else, and for anyone but
// staff, the bot answers a command with a deep link to a private chat.
func TestCoordinatorGroups(t *testing.T) {
	// Group ids come from the fake Telegram, which runs once the bot does, so
	// the groups are created first and then configured by a restart, as an
	// operator edits coordinator_groups and restarts the bot.
	var configured []int64
	h := bottest.Start(t, bottest.Options{Flows: func(c *flows.Config) { c.CoordinatorGroups = configured }})
	coord := seed(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	coordGroup := h.Server.NewGroup("Koordinator Dinsos", coord.User, worker.User)
	otherGroup := h.Server.NewGroup("PSM Telanaipura", coord.User, worker.User)
	configured = []int64{coordGroup.ID()}
	h.Restart()

	private := "chat pribadi: https://t.me/" + h.Server.BotUsername()
	stats := i18n.T(i18n.ID, "adm.stats.title")
	tests := []struct {
		name    string
		group   *telegramtest.Group
		from    *tgUser
		command string
		want    string // in the bot's answer in the group
		notWant string
	}{
		{"coordinator in the coordinators' group", coordGroup, coord, "/statistik", stats, private},
		{"coordinator in another group", otherGroup, coord, "/statistik", private, stats},
		{"worker in the coordinators' group", coordGroup, worker, "/kasus", private, ""},
		{"worker in another group", otherGroup, worker, "/kasus", private, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := lastMessageID(tc.group.Messages())
			privateBefore := len(tc.from.Messages())
			tc.group.SendText(tc.from.User, tc.command)
			var got telegramtest.Message
			if _, err := tc.group.WaitFor(caseWait, func(msgs []telegramtest.Message) bool {
				for _, m := range msgs {
					if m.ID > before {
						got = m
						return true
					}
				}
				return false
			}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(got.Text, tc.want) || (tc.notWant != "" && strings.Contains(got.Text, tc.notWant)) {
				t.Errorf("answer in the group = %q, want %q without %q", got.Text, tc.want, tc.notWant)
			}
			// The answer goes to the group only: nothing in the sender's
			// private chat.
			if n := len(tc.from.Messages()); n != privateBefore {
				t.Errorf("%d new messages in the private chat of user %d", n-privateBefore, tc.from.ID())
			}
		})
	}
	h.NoViolations()
}

// TestDeploymentCaseCodeAndCheckinLead: the configured case code prefix starts
// the code of a saved case, and a meeting created through /rapat_baru keeps
// the configured check-in lead.
func TestDeploymentCaseCodeAndCheckinLead(t *testing.T) {
	setup := func(c *flows.Config) { c.CaseCodePrefix, c.CheckinLead = "KTC", 90*time.Minute }

	t.Run("case code prefix", func(t *testing.T) {
		h := caseHarness(t, "", bottest.Options{Flows: setup})
		worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
		reportUpToNIK(worker, "Siti Aminah")
		worker.send(nikSiti, "jenis kelamin")
		reportFromGender(worker, "Perempuan (sesuai NIK)", "", "12-05-1990")
		worker.press("✅ Simpan", "KTC-26-00001")
		if got := cases(t, h); len(got) != 1 || got[0].Code != "KTC-26-00001" {
			t.Errorf("cases = %+v, want one coded KTC-26-00001", got)
		}
	})

	t.Run("check-in lead", func(t *testing.T) {
		r := newMtRigWith(t, bottest.Options{Flows: setup})
		r.createMeeting("Rapat Koordinasi PSM", "03-11-2026", "09.00", "12.00", "Semua PSM dan TKSK")
		var ms []store.Meeting
		if err := r.h.DB().Update(t.Context(), func(tx *store.Tx) (err error) {
			ms, err = tx.MeetingsCreatedBy(adminID, time.Time{})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || ms[0].CheckinLead != 90*time.Minute {
			t.Fatalf("meetings = %+v, want one with a 90 min check-in lead", ms)
		}
		if opens := ms[0].CheckinOpens().In(wib).Format("15.04"); opens != "07.30" {
			t.Errorf("check-in opens at %s, want 07.30 (90 min before 09.00)", opens)
		}
	})
}
