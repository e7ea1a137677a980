package bottest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

// Small leaks closed (issue 12), from the person's side: a location
// forwarded from a colleague does not check anyone in, and birth dates,
// ages and coordinates no one can have are refused with the reason.

const leaksAdmin = 900

// venue is the Aula Dinsos Kota Jambi, where the test meetings are held.
const venueLat, venueLon = -1.6101, 103.6131

// geofencedMeeting stores a meeting at the venue, starting half an hour after
// the harness's clock, with check-in only within 100 m, inviting invitees; it
// returns the meeting's id and its QR deep link's payload.
func geofencedMeeting(t *testing.T, h *bottest.Harness, invitees ...*telegramtest.User) (int64, string) {
	t.Helper()
	start := h.Clock.Now().Add(30 * time.Minute)
	var id int64
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		var err error
		id, err = tx.AddMeeting(store.Meeting{Title: "Rakor PSM", StartsAt: start, EndsAt: start.Add(2 * time.Hour),
			Place: "Aula Dinsos", Lat: venueLat, Lon: venueLon, RadiusM: 100, Code: "kodeleaks",
			Audience: store.AudiencePeople, CreatedBy: leaksAdmin})
		if err != nil {
			return err
		}
		for _, u := range invitees {
			if err := tx.Invite(id, u.ID()); err != nil {
				return err
			}
		}
		return nil
	}))
	return id, "hadir_kodeleaks"
}

func attended(t *testing.T, h *bottest.Harness, meeting int64, u *telegramtest.User) (store.Attendance, bool) {
	t.Helper()
	var a store.Attendance
	var ok bool
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		var err error
		a, ok, err = tx.GetAttendance(meeting, u.ID())
		return err
	}))
	return a, ok
}

// A worker at home forwards the location a colleague shared from the venue
// (or one whose sender is hidden): the bot refuses it and says why, and checks
// them in only with their own location from the venue. A point off the map
// is refused as such.
func TestLeaksForwardedLocationCheckin(t *testing.T) {
	h := bottest.Start(t, bottest.Options{Admins: []int64{leaksAdmin}})
	startAdmin(t, h, leaksAdmin)
	sri := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, sri.User, "")
	budi := h.NewUser("Budi")
	id, payload := geofencedMeeting(t, h, sri.User)

	sri.send("/start "+payload, "Kirim lokasi Anda")
	for _, origin := range []telegramtest.ForwardOrigin{
		{From: budi, Date: h.Clock.Now().Add(-2 * time.Minute)},
		{HiddenName: "Budi S."},
	} {
		got := sri.do(func() { sri.ForwardLocation(venueLat, venueLon, origin) }, "diteruskan")
		if !strings.Contains(got.Text, "tidak bisa dipakai untuk presensi") ||
			!strings.Contains(got.Text, "bukan tempat Anda berada sekarang") {
			t.Errorf("forwarded location (%+v): reply %q", origin, got.Text)
		}
		if strings.Contains(got.Text, "Presensi tercatat") {
			t.Fatalf("a forwarded location checked in: %q", got.Text)
		}
	}
	if _, ok := attended(t, h, id, sri.User); ok {
		t.Fatal("a forwarded location was recorded as attendance")
	}
	if got := sri.do(func() { sri.SendLocation(95, 200) }, "tidak ada di peta"); !strings.Contains(got.Text, "lintang") {
		t.Errorf("a point off the map: %q", got.Text)
	}

	sri.do(func() { sri.SendLocation(venueLat+0.0001, venueLon) }, "Lokasi Anda")
	sri.press("✅ Simpan", "Presensi tercatat: Rakor PSM")
	a, ok := attended(t, h, id, sri.User)
	if !ok || a.Method != store.CheckinLocation || a.DistanceM > 20 {
		t.Errorf("own location: attendance %+v (%v)", a, ok)
	}
	var failed int
	must(t, h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM failed_updates`).Scan(&failed))
	if failed != 0 {
		t.Errorf("%d updates failed", failed)
	}
	h.NoViolations()
}

// At /lapor, a birth date before 1900 or giving an age over 120, an age over
// 120, and a location outside ±90/±180 are each refused with the reason, and
// the step is asked again; the oldest possible birth date and a real
// location are stored.
func TestLeaksBirthAndCoordinateRanges(t *testing.T) {
	h := bottest.Start(t, bottest.Options{}) // today: 2 November 2026, WIB
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")

	u.send("/lapor", "kelompok")
	u.press("👶 Anak", "kategori")
	u.press("Anak Telantar", "nama lengkap")
	u.send("Siti Aminah", "NIK")
	u.press("Tidak ada NIK", "Mengapa")
	u.press("Tidak tahu / tidak ingat", "jenis kelamin")
	u.press("Perempuan", "tanggal lahir")
	for _, tc := range []struct{ in, want string }{
		{"31-12-1899", "Tanggal lahir paling awal 03-11-1905: umur paling tinggi 120 tahun."},
		{"01-01-1900", "Tanggal lahir paling awal 03-11-1905"},
		{"02-11-1905", "Tanggal lahir paling awal 03-11-1905"}, // 121 today
		{"12 Mei 1850", "umur paling tinggi 120 tahun"},
		{"121 tahun", "Umur harus 0 sampai 120 tahun."},
		{"150", "Umur harus 0 sampai 120 tahun."},
	} {
		got := u.send(tc.in, "")
		if !strings.Contains(got.Text, tc.want) || !strings.Contains(got.Text, "tanggal lahir") {
			t.Errorf("birth %q: reply %q, want a refusal with %q", tc.in, got.Text, tc.want)
		}
	}
	u.send("03-11-1905", "tempat lahir") // 120 today: the oldest accepted
	u.send("/lewati", "alamat")
	u.addressAndArea("Jl. Sumantri Brojonegoro No. 5", "📍 Buluran Kenali, Telanaipura")
	for _, p := range [][2]float64{{95, 103.6131}, {-1.6101, 200}, {-90.5, -180.5}} {
		got := u.do(func() { u.SendLocation(p[0], p[1]) }, "")
		if !strings.Contains(got.Text, "Lokasi itu tidak ada di peta") || !strings.Contains(got.Text, "-180 dan 180") {
			t.Errorf("location %v: reply %q, want it refused as off the map", p, got.Text)
		}
	}
	u.do(func() { u.SendLocation(venueLat, venueLon) }, "foto")
	u.press("✔️ Selesai", "keadaannya")
	u.send("Tinggal sendiri, butuh pendampingan.", "kebutuhan")
	u.toggle("Pangan")
	u.press("✔️ Selesai", "mendesak")
	u.press("Biasa", "Periksa data")
	u.press("✅ Simpan", "Laporan tersimpan")

	var k store.Case
	var id int64
	must(t, h.DB().SQL().QueryRow(`SELECT id FROM cases`).Scan(&id))
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		var err error
		k, _, err = tx.GetCase(id)
		return err
	}))
	if k.BirthDate != "1905-11-03" || k.Age != 0 || !k.HasLocation || k.Latitude != venueLat || k.Longitude != venueLon {
		t.Errorf("stored birth %q, age %d, location %v %v,%v", k.BirthDate, k.Age, k.HasLocation, k.Latitude, k.Longitude)
	}
	h.NoViolations()
}
