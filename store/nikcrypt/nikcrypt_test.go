package nikcrypt

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func secret(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func keyring(t *testing.T, current []byte, old ...[]byte) *Keyring {
	t.Helper()
	r, err := NewKeyring(current, old...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var digits16 = regexp.MustCompile(`[0-9]{16}`)

func TestSealNIK(t *testing.T) {
	r := keyring(t, secret(1))
	for _, nik := range []string{"1571015205900003", "3171234567890001", "0000000000000000", ""} {
		sealed := r.SealNIK(nik)
		if nik == "" {
			if sealed != "" {
				t.Errorf("SealNIK(\"\") = %q, want \"\"", sealed)
			}
			continue
		}
		if strings.Contains(sealed, nik) || regexp.MustCompile(`[0-9]{5}`).MatchString(sealed) {
			t.Errorf("SealNIK(%s) = %q: shows digits", nik, sealed)
		}
		if again := r.SealNIK(nik); again == sealed {
			t.Errorf("SealNIK(%s) twice gave the same ciphertext: the nonce is not random", nik)
		}
		if id, ok := SealedKeyID(sealed); !ok || id != r.Current().ID() {
			t.Errorf("SealedKeyID(%q) = %q, %v; want %q", sealed, id, ok, r.Current().ID())
		}
		got, err := r.OpenNIK(sealed)
		if err != nil || got != nik {
			t.Errorf("OpenNIK(SealNIK(%s)) = %q, %v", nik, got, err)
		}
	}
}

func TestOpenNIKRefuses(t *testing.T) {
	r := keyring(t, secret(1))
	other := keyring(t, secret(2))
	sealed := r.SealNIK("1571015205900003")
	id := r.Current().ID()
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	body := len(sealedPrefix) + len(id) + 1
	tests := []struct {
		name  string
		value string
		want  error
	}{
		{"plaintext", "1571015205900003", ErrNotSealed},
		{"one ciphertext letter changed", flip(sealed, body+3), ErrTampered},
		{"last letter changed (the tag)", flip(sealed, len(sealed)-2), ErrTampered},
		{"truncated", sealed[:body+10] + "~", ErrTampered},
		{"another key's id", strings.Replace(sealed, id, other.Current().ID(), 1), ErrUnknownKey},
		{"sealed by another key", other.SealNIK("1571015205900003"), ErrUnknownKey},
		{"a draft's sealed digits moved into the NIK column", r.SealDigits("1571015205900003"), ErrTampered},
		{"trailing text", sealed + "x", ErrNotSealed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.OpenNIK(tc.value)
			if !errors.Is(err, tc.want) {
				t.Fatalf("OpenNIK = %q, %v; want %v", got, err, tc.want)
			}
			if got != "" {
				t.Errorf("OpenNIK returned %q with an error", got)
			}
		})
	}
}

// Every key derives the same id and index each time, and another key
// derives others: the index is a keyed hash, not a hash of the NIK.
func TestKeyIDAndIndex(t *testing.T) {
	a1, a2, b := keyring(t, secret(1)), keyring(t, secret(1)), keyring(t, secret(2))
	if a1.Current().ID() != a2.Current().ID() || a1.Current().Check() != a2.Current().Check() {
		t.Error("one secret, two ids or checks")
	}
	if a1.Current().ID() == b.Current().ID() || a1.Current().Check() == b.Current().Check() {
		t.Error("two secrets, one id or check")
	}
	if !regexp.MustCompile(`^[A-Za-f]{8}$`).MatchString(a1.Current().ID()) {
		t.Errorf("id %q is not 8 letters", a1.Current().ID())
	}
	tests := []struct {
		name       string
		x, y       string
		kx, ky     *Keyring
		wantEquals bool
	}{
		{"same NIK, same key", "1571015205900003", "1571015205900003", a1, a2, true},
		{"other NIK", "1571015205900003", "1571015205900004", a1, a1, false},
		{"other key", "1571015205900003", "1571015205900003", a1, b, false},
	}
	for _, tc := range tests {
		ix, iy := tc.kx.Index(tc.x), tc.ky.Index(tc.y)
		if (ix == iy) != tc.wantEquals || len(ix) != 64 || strings.Contains(ix, tc.x) {
			t.Errorf("%s: %s vs %s", tc.name, ix, iy)
		}
	}
	if a1.Index("") != "" {
		t.Error("the index of no NIK is not empty")
	}
}

func TestSealDigits(t *testing.T) {
	r := keyring(t, secret(1))
	tests := []struct {
		name, text string
		sealed     bool // a run is sealed
	}{
		{"a draft's NIK var", `{"a":{"nik":{"t":"1571********0003"}},"v":{"nik":"1571015205900003"}}`, true},
		{"grouped by spaces", `alamat: rumah no 5, NIK 1571 0152 0590 0003 ya`, true},
		{"grouped by dots and dashes", `1571.0152.0590.0003 / 1571-0152-0590-0003`, true},
		{"a family card number of 17 digits", `KK 15710152059000031`, true},
		{"fifteen digits", `nomor 157101520590000`, false},
		{"a phone and a date", `+62 812-3456-7890 pada 2026-05-12T08:00:00Z`, false},
		{"nothing", `{"a":{}}`, false},
		{"a float with 16 decimals", `{"lat":-1.6101229000000001}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := r.SealDigits(tc.text)
			if (s != tc.text) != tc.sealed {
				t.Fatalf("SealDigits(%q) = %q", tc.text, s)
			}
			if HasDigitRun(s) || digits16.MatchString(strings.NewReplacer(" ", "", ".", "", "-", "").Replace(s)) && tc.sealed {
				t.Errorf("a run is left: %q", s)
			}
			if again := r.SealDigits(s); again != s {
				t.Errorf("sealing twice changed it: %q -> %q", s, again)
			}
			got, err := r.OpenDigits(s)
			if err != nil || got != tc.text {
				t.Errorf("OpenDigits = %q, %v; want %q", got, err, tc.text)
			}
		})
	}
}

func TestOpenDigitsRefuses(t *testing.T) {
	r := keyring(t, secret(1))
	sealed := r.SealDigits("NIK 1571015205900003.")
	// A person may type something that looks sealed: with a key that is not
	// configured it is text, left as it is.
	typed := "lihat ~nk1~ABCDEFGH~ABCDEFGHIJ~ ya"
	if got, err := r.OpenDigits(typed); err != nil || got != typed {
		t.Errorf("OpenDigits(typed) = %q, %v", got, err)
	}
	i := strings.LastIndex(sealed, "~") - 3
	b := []byte(sealed)
	// Another letter of the alphabet: a flip that leaves it (say d^3 = g)
	// would no longer look sealed and be read as typed text.
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	if _, err := r.OpenDigits(string(b)); !errors.Is(err, ErrTampered) {
		t.Errorf("OpenDigits(tampered) error = %v, want ErrTampered", err)
	}
	if _, err := r.OpenDigits(r.SealNIK("1571015205900003")); !errors.Is(err, ErrTampered) {
		t.Errorf("a NIK column value opened as a draft's digits: %v", err)
	}
}

// After a rotation the old key opens what it sealed; the new one seals.
func TestKeyringRotation(t *testing.T) {
	old := keyring(t, secret(1))
	sealed, draft, file := old.SealNIK("1571015205900003"), old.SealDigits("x 1571015205900003"), old.SealFile([]byte("f"))
	both := keyring(t, secret(2), secret(1))
	if got, err := both.OpenNIK(sealed); err != nil || got != "1571015205900003" {
		t.Errorf("the new keyring opens the old NIK as %q, %v", got, err)
	}
	if got, err := both.OpenDigits(draft); err != nil || got != "x 1571015205900003" {
		t.Errorf("the new keyring opens the old draft as %q, %v", got, err)
	}
	if got, err := both.OpenFile(file); err != nil || string(got) != "f" {
		t.Errorf("the new keyring opens the old file as %q, %v", got, err)
	}
	if id, _ := SealedKeyID(both.SealNIK("1")); id != both.Current().ID() || id == old.Current().ID() {
		t.Errorf("the new keyring seals with %s", id)
	}
	newOnly := keyring(t, secret(2))
	if _, err := newOnly.OpenNIK(sealed); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("without the old key: %v, want ErrUnknownKey", err)
	}
	if _, err := NewKeyring(secret(2), []byte("short")); err == nil {
		t.Error("an old key of 5 bytes was taken")
	}
}

func TestSealFile(t *testing.T) {
	r := keyring(t, secret(1))
	csv := []byte("\ufeffNo,NIK\n1,1571015205900003\n")
	sealed := r.SealFile(csv)
	if bytes.Contains(sealed, []byte("1571015205900003")) || !IsSealedFile(sealed) || FileKeyID(sealed) != r.Current().ID() {
		t.Fatalf("sealed file %q", sealed)
	}
	if got, err := r.OpenFile(sealed); err != nil || !bytes.Equal(got, csv) {
		t.Errorf("OpenFile = %q, %v", got, err)
	}
	if r.SealFile(nil) != nil {
		t.Error("no file became a file")
	}
	// A row enqueued before files were sealed is read as it is.
	if got, err := r.OpenFile(csv); err != nil || !bytes.Equal(got, csv) {
		t.Errorf("OpenFile(unsealed) = %q, %v", got, err)
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	if _, err := r.OpenFile(tampered); !errors.Is(err, ErrTampered) {
		t.Errorf("OpenFile(tampered) = %v, want ErrTampered", err)
	}
	if _, err := keyring(t, secret(3)).OpenFile(sealed); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("OpenFile with another key = %v, want ErrUnknownKey", err)
	}
}

func TestParseSecret(t *testing.T) {
	s := secret(7)
	s[0], s[31] = 0xfb, 0xff // base64 '+' and '/' (or '-' and '_')
	tests := []struct {
		name, text string
		ok         bool
	}{
		{"base64 with a newline", EncodeSecret(s) + "\n", true},
		{"base64 without padding", strings.TrimRight(EncodeSecret(s), "="), true},
		{"base64url", strings.NewReplacer("+", "-", "/", "_").Replace(EncodeSecret(s)), true},
		{"hex", "fb" + strings.Repeat("07", 30) + "ff", true},
		{"empty", "", false},
		{"a passphrase", "correct horse battery staple", false},
		{"16 bytes", EncodeSecret(s[:16]), false},
		{"44 characters, not base64", strings.Repeat("!", 44), false},
		{"64 characters, not hex", strings.Repeat("zz", 32), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSecret([]byte(tc.text))
			if tc.ok != (err == nil) || tc.ok && !bytes.Equal(got, s) {
				t.Fatalf("ParseSecret = %x, %v", got, err)
			}
			if err != nil && tc.text != "" && strings.Contains(err.Error(), strings.TrimSpace(tc.text)) {
				t.Errorf("the error quotes the key: %v", err)
			}
		})
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nik.key")
	made, err := CreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", st.Mode().Perm(), err)
	}
	read, err := ReadKeyFile(path)
	if err != nil || !bytes.Equal(read, made) {
		t.Errorf("ReadKeyFile = %x, %v; want %x", read, err, made)
	}
	if _, err := CreateKeyFile(path); err == nil {
		t.Error("CreateKeyFile replaced an existing key")
	}
	if again, _ := ReadKeyFile(path); !bytes.Equal(again, made) {
		t.Error("the key changed")
	}
	if bytes.Equal(NewSecret(), NewSecret()) {
		t.Error("two new secrets are equal")
	}
}
