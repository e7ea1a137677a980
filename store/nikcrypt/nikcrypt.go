// Package nikcrypt encrypts NIKs (and other 16-digit identity numbers) at rest:
// AES-256-GCM with a random nonce for what must be read back, and a keyed
// blind index (HMAC-SHA256) for finding a case by its NIK without decrypting
// every row. Both subkeys are derived from one 32-byte secret, which lives in
// a file or an environment variable, never in the database.
//
// Every sealed value names the key that sealed it (a short id derived from the
// key), so after a rotation the old key can still open what it sealed until
// everything is sealed again with the new one (dinsosbot rekey).
package nikcrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// KeySize is the length of a key's secret: AES-256.
const KeySize = 32

// Errors a caller tells apart.
var (
	// ErrUnknownKey: a value was sealed with a key the keyring does not hold.
	ErrUnknownKey = errors.New("sealed with a key that is not configured")
	// ErrTampered: the value does not open with the key it names (changed,
	// truncated, or moved from another purpose).
	ErrTampered = errors.New("does not decrypt: altered or corrupt")
	// ErrNotSealed: a value that should be sealed is not.
	ErrNotSealed = errors.New("not encrypted")
)

// letters encodes ciphertext and key ids without digits, so a sealed value
// never looks like (or is sealed again as) a run of digits.
var letters = base32.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef").WithPadding(base32.NoPadding)

// Purposes bind a ciphertext to where it is stored (GCM's additional data): a
// NIK sealed for the cases table does not open as a draft's digits, and the
// other way round.
const (
	purposeNIK   = "nik"
	purposeDraft = "draft"
	purposeFile  = "file"
)

// Key is one secret with the subkeys derived from it.
type Key struct {
	id    string
	check string
	aead  cipher.AEAD
	index []byte
}

// NewKey derives a Key from a 32-byte secret.
func NewKey(secret []byte) (*Key, error) {
	if len(secret) != KeySize {
		return nil, fmt.Errorf("NIK key: %d bytes, want %d", len(secret), KeySize)
	}
	// One secret, four independent subkeys: knowing the blind index key or
	// the check value tells nothing of the encryption key.
	var sub [4][]byte
	for i, info := range []string{"nik encryption v1", "nik blind index v1", "nik key id v1", "nik key check v1"} {
		k, err := hkdf.Key(sha256.New, secret, nil, "dinsosbot "+info, KeySize)
		if err != nil {
			return nil, fmt.Errorf("NIK key: derive %s: %w", info, err)
		}
		sub[i] = k
	}
	block, err := aes.NewCipher(sub[0])
	if err != nil {
		return nil, fmt.Errorf("NIK key: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("NIK key: %w", err)
	}
	return &Key{
		id:    letters.EncodeToString(sub[2][:5]),
		check: hex.EncodeToString(sub[3]),
		aead:  aead,
		index: sub[1],
	}, nil
}

// ID names the key in what it seals: 8 letters, derived from the key, safe to
// log and to store.
func (k *Key) ID() string { return k.id }

// Check is a value derived from the key, stored in the database so that a
// wrong key is refused at start instead of failing on the first case read.
// It reveals nothing of the key.
func (k *Key) Check() string { return k.check }

func (k *Key) seal(purpose string, plain []byte) []byte {
	return k.aead.Seal(nil, nil, plain, k.aad(purpose))
}

func (k *Key) open(purpose string, sealed []byte) ([]byte, error) {
	plain, err := k.aead.Open(nil, nil, sealed, k.aad(purpose))
	if err != nil {
		return nil, ErrTampered
	}
	return plain, nil
}

func (k *Key) aad(purpose string) []byte { return []byte("dinsosbot/" + purpose + "/" + k.id) }

// Keyring is the current key, which seals and indexes, and older keys, which
// only open what they sealed (during a rotation).
type Keyring struct {
	current *Key
	byID    map[string]*Key
}

// NewKeyring builds a keyring sealing with current and opening with current
// and old.
func NewKeyring(current []byte, old ...[]byte) (*Keyring, error) {
	cur, err := NewKey(current)
	if err != nil {
		return nil, err
	}
	r := &Keyring{current: cur, byID: map[string]*Key{cur.id: cur}}
	for i, o := range old {
		k, err := NewKey(o)
		if err != nil {
			return nil, fmt.Errorf("old key %d: %w", i+1, err)
		}
		r.byID[k.id] = k
	}
	return r, nil
}

// testSecret is public on purpose: TestKeyring is for tests and tools that
// open throw-away databases, never for personal data.
var testSecret = []byte("dinsosbot test key: NOT SECRET!!")

// TestKeyring is a keyring with a fixed, published key. Data sealed with it
// is as good as plaintext; dinsosbot itself always uses a configured key.
func TestKeyring() *Keyring {
	r, err := NewKeyring(testSecret)
	if err != nil {
		panic(err)
	}
	return r
}

// Current is the key that seals.
func (r *Keyring) Current() *Key { return r.current }

// Key returns the key with id, if the keyring holds it.
func (r *Keyring) Key(id string) (*Key, bool) {
	k, ok := r.byID[id]
	return k, ok
}

// sealedPrefix starts every sealed text value; the key id and the
// ciphertext follow, and a final "~" ends it so it can sit inside other text.
const sealedPrefix = "~nk1~"

// sealedRE finds sealed values inside a text: the key id and the ciphertext.
var sealedRE = regexp.MustCompile(`~nk1~([A-Za-f]{8})~([A-Za-f]+)~`)

func (r *Keyring) sealText(purpose, plain string) string {
	k := r.current
	return sealedPrefix + k.id + "~" + letters.EncodeToString(k.seal(purpose, []byte(plain))) + "~"
}

func (r *Keyring) openToken(purpose, id, data string) (string, error) {
	k, ok := r.byID[id]
	if !ok {
		return "", fmt.Errorf("key %s: %w", id, ErrUnknownKey)
	}
	raw, err := letters.DecodeString(data)
	// The last letter carries spare bits the decoder ignores: only the
	// canonical spelling is the sealed value.
	if err != nil || letters.EncodeToString(raw) != data {
		return "", ErrTampered
	}
	plain, err := k.open(purpose, raw)
	if err != nil {
		return "", err
	}
	return string(plain), nil
}

// SealNIK encrypts nik for the cases table; "" stays "" (no NIK).
func (r *Keyring) SealNIK(nik string) string {
	if nik == "" {
		return ""
	}
	return r.sealText(purposeNIK, nik)
}

// OpenNIK decrypts what SealNIK returned; "" stays "". A value that is not
// sealed is an error: the cases table never holds a plaintext NIK.
func (r *Keyring) OpenNIK(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	m := sealedRE.FindStringSubmatch(sealed)
	if m == nil || m[0] != sealed {
		return "", ErrNotSealed
	}
	return r.openToken(purposeNIK, m[1], m[2])
}

// SealedKeyID returns the id of the key that sealed a value from SealNIK,
// ok=false when s is not such a value.
func SealedKeyID(s string) (id string, ok bool) {
	m := sealedRE.FindStringSubmatch(s)
	if m == nil || m[0] != s {
		return "", false
	}
	return m[1], true
}

// Index is the blind index of nik under the current key: equal NIKs give
// equal indexes, and without the key an index cannot be tested against a
// guessed NIK. "" for no NIK.
func (r *Keyring) Index(nik string) string {
	if nik == "" {
		return ""
	}
	m := hmac.New(sha256.New, r.current.index)
	m.Write([]byte(nik))
	return hex.EncodeToString(m.Sum(nil))
}

// digitRun is a run of digits, possibly grouped by single spaces, dots or
// dashes, as people type a NIK ("1571 0152 0590 0003").
var digitRun = regexp.MustCompile(`[0-9](?:[ .\-]?[0-9])*`)

// minDigits: a NIK and a family card number have 16 digits; phone numbers,
// ids and dates have fewer.
const minDigits = 16

// SealDigits encrypts, inside text (a stored draft), every run of 16 or more
// digits, however grouped: a NIK wherever a form keeps it, or typed into a
// free-text answer. The rest of text stays as it is. It is idempotent: sealed
// values contain no digit runs.
func (r *Keyring) SealDigits(text string) string {
	return digitRun.ReplaceAllStringFunc(text, func(run string) string {
		if countDigits(run) < minDigits {
			return run
		}
		return r.sealText(purposeDraft, run)
	})
}

// HasDigitRun reports whether text holds a run SealDigits would seal.
func HasDigitRun(text string) bool {
	for _, run := range digitRun.FindAllString(text, -1) {
		if countDigits(run) >= minDigits {
			return true
		}
	}
	return false
}

// OpenDigits reverses SealDigits. A sealed value naming a key the keyring does
// not hold is left as it is (it may be text a person typed); one that names a
// held key but does not open is an error.
func (r *Keyring) OpenDigits(text string) (string, error) {
	if !strings.Contains(text, sealedPrefix) {
		return text, nil
	}
	var firstErr error
	out := sealedRE.ReplaceAllStringFunc(text, func(tok string) string {
		m := sealedRE.FindStringSubmatch(tok)
		plain, err := r.openToken(purposeDraft, m[1], m[2])
		switch {
		case errors.Is(err, ErrUnknownKey):
			return tok
		case err != nil:
			if firstErr == nil {
				firstErr = err
			}
			return tok
		}
		return plain
	})
	return out, firstErr
}

// DigitKeyIDs lists the ids of the keys that sealed values inside text.
func DigitKeyIDs(text string) []string {
	var ids []string
	for _, m := range sealedRE.FindAllStringSubmatch(text, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// fileMagic starts a sealed file; the key id (8 bytes) and the ciphertext
// follow.
const fileMagic = "NKF1"

// SealFile encrypts file bytes (an export waiting in the outbox); nil stays
// nil.
func (r *Keyring) SealFile(b []byte) []byte {
	if b == nil {
		return nil
	}
	k := r.current
	out := make([]byte, 0, len(fileMagic)+len(k.id)+len(b)+k.aead.Overhead())
	out = append(append(out, fileMagic...), k.id...)
	return append(out, k.seal(purposeFile, b)...)
}

// IsSealedFile reports whether b is what SealFile returns.
func IsSealedFile(b []byte) bool {
	return len(b) >= len(fileMagic)+8 && string(b[:len(fileMagic)]) == fileMagic
}

// FileKeyID is the id of the key that sealed b, "" when b is not sealed.
func FileKeyID(b []byte) string {
	if !IsSealedFile(b) {
		return ""
	}
	return string(b[len(fileMagic) : len(fileMagic)+8])
}

// OpenFile reverses SealFile. Bytes that are not sealed (a row enqueued
// before files were sealed) are returned as they are.
func (r *Keyring) OpenFile(b []byte) ([]byte, error) {
	if !IsSealedFile(b) {
		return b, nil
	}
	id := FileKeyID(b)
	k, ok := r.byID[id]
	if !ok {
		return nil, fmt.Errorf("key %s: %w", id, ErrUnknownKey)
	}
	return k.open(purposeFile, b[len(fileMagic)+8:])
}

// NewSecret returns a fresh random 32-byte secret.
func NewSecret() []byte {
	b := make([]byte, KeySize)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return b
}

// EncodeSecret writes a secret as key files and environment variables hold it:
// standard base64, 44 characters.
func EncodeSecret(secret []byte) string { return base64.StdEncoding.EncodeToString(secret) }

// ParseSecret reads a secret written by EncodeSecret (or as 64 hex digits),
// ignoring surrounding white space. The error never quotes the input.
func ParseSecret(text []byte) ([]byte, error) {
	s := strings.TrimSpace(string(text))
	var b []byte
	var err error
	switch len(s) {
	case 64:
		b, err = hex.DecodeString(s)
	case 43, 44:
		raw := strings.TrimRight(s, "=")
		b, err = base64.RawStdEncoding.DecodeString(raw)
		if err != nil {
			b, err = base64.RawURLEncoding.DecodeString(raw)
		}
	default:
		return nil, fmt.Errorf("a key is 32 bytes written as 44 base64 characters (or 64 hex digits); this is %d characters", len(s))
	}
	if err != nil || len(b) != KeySize {
		return nil, errors.New("a key is 32 bytes written as 44 base64 characters (or 64 hex digits); this does not decode to that")
	}
	return b, nil
}

// ReadKeyFile reads the secret in the file at path.
func ReadKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read NIK key file: %w", err)
	}
	secret, err := ParseSecret(b)
	if err != nil {
		return nil, fmt.Errorf("NIK key file %s: %w", path, err)
	}
	return secret, nil
}

// CreateKeyFile writes a new random secret to path (mode 0600), failing if
// the file exists, and returns it.
func CreateKeyFile(path string) ([]byte, error) {
	secret := NewSecret()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create NIK key file: %w", err)
	}
	_, werr := f.WriteString(EncodeSecret(secret) + "\n")
	serr := f.Sync()
	if err := errors.Join(werr, serr, f.Close()); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("write NIK key file %s: %w", path, err)
	}
	return secret, nil
}
