package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dinsosbot/store"
	"dinsosbot/store/nikcrypt"
)

const testNIK = "1571015205900003"

// runCmd runs dinsosbot with args and an environment of env.
func runCmd(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut strings.Builder
	err = run(t.Context(), args, strings.NewReader(""), &out, &errOut, func(k string) string { return env[k] })
	return out.String(), errOut.String(), err
}

func keyringFromFile(t *testing.T, path string) *nikcrypt.Keyring {
	t.Helper()
	s, err := nikcrypt.ReadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := nikcrypt.NewKeyring(s)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// withStore opens the database with kr and runs fn in a transaction.
func withStore(t *testing.T, path string, kr *nikcrypt.Keyring, fn func(tx *store.Tx) error) {
	t.Helper()
	db, err := store.Open(context.Background(), path, store.Options{NIKKeys: kr})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// With no key configured the first start makes nik.key beside the database,
// says to back it up (without printing it), and later starts use it; a start
// that finds it gone refuses, instead of sealing new NIKs with a new key.
func TestNIKKeyDefaultFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "d.db")
	cfg := writeConfig(t, "database:\n  path: "+db+"\n")
	_, stderr, err := runCmd(t, nil, "-config", cfg, "migrate")
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, "nik.key")
	st, err := os.Stat(keyPath)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want mode 0600", st, err)
	}
	key, _ := os.ReadFile(keyPath)
	if !strings.Contains(stderr, "created a new NIK encryption key") || !strings.Contains(stderr, "back it up") ||
		!strings.Contains(stderr, keyPath) {
		t.Errorf("no word on the new key and backing it up:\n%s", stderr)
	}
	if strings.Contains(stderr, strings.TrimSpace(string(key))) {
		t.Errorf("the key is in the log:\n%s", stderr)
	}
	withStore(t, db, keyringFromFile(t, keyPath), func(tx *store.Tx) error {
		_, err := tx.TouchUser(1, "Sri", "")
		return err
	})

	if _, stderr, err = runCmd(t, nil, "-config", cfg, "migrate"); err != nil || strings.Contains(stderr, "created") {
		t.Fatalf("second start: %v\n%s", err, stderr)
	}

	if err := os.Rename(keyPath, keyPath+".bak"); err != nil {
		t.Fatal(err)
	}
	_, _, err = runCmd(t, nil, "-config", cfg, "migrate")
	if err == nil || !errors.Is(err, store.ErrNIKKey) || !strings.Contains(err.Error(), "was missing") {
		t.Fatalf("start without the key file = %v; want a wrong-key error saying the file was missing", err)
	}
	if _, err := os.Stat(keyPath); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the useless new key file was left: %v", err)
	}
}

func TestNIKKeyConfigErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "e.db")
	secret := nikcrypt.EncodeSecret(nikcrypt.NewSecret())
	tests := []struct {
		name string
		body string
		env  map[string]string
		want string
	}{
		{"env not set", "nik_encryption:\n  key_env: DINSOS_NIK_KEY\n", nil, "DINSOS_NIK_KEY is not set"},
		{"env not a key", "nik_encryption:\n  key_env: DINSOS_NIK_KEY\n", map[string]string{"DINSOS_NIK_KEY": "hunter2-hunter2"}, "nik_encryption.key_env"},
		{"configured key file missing", "nik_encryption:\n  key_file: " + filepath.Join(dir, "none.key") + "\n", nil, "head -c 32 /dev/urandom"},
		{"old key file missing", "nik_encryption:\n  key_env: K\n  old_key_files: [" + filepath.Join(dir, "old.key") + "]\n",
			map[string]string{"K": secret}, "nik_encryption.old_key_files[0]"},
		{"file and env", "nik_encryption:\n  key_file: x.key\n  key_env: K\n", nil, "set key_file or key_env, not both"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeConfig(t, "database:\n  path: "+db+"\n"+tc.body)
			_, stderr, err := runCmd(t, tc.env, "-config", cfg, "migrate")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("migrate = %v; want %q", err, tc.want)
			}
			if strings.Contains(err.Error()+stderr, "hunter2") || strings.Contains(err.Error()+stderr, secret) {
				t.Errorf("a key is printed: %v\n%s", err, stderr)
			}
			if _, err := os.Stat(filepath.Join(dir, "nik.key")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a default key file was made although a key is configured")
			}
		})
	}
	// The environment variable works alone.
	cfg := writeConfig(t, "database:\n  path: "+db+"\nnik_encryption:\n  key_env: DINSOS_NIK_KEY\n")
	if _, stderr, err := runCmd(t, map[string]string{"DINSOS_NIK_KEY": secret}, "-config", cfg, "migrate"); err != nil ||
		strings.Contains(stderr, secret) {
		t.Fatalf("migrate with the key in the environment: %v\n%s", err, stderr)
	}
}

// A rotation as the README tells it: new key, old key listed, rekey, and the
// bot starts with the new key alone; it refuses before the rekey.
func TestRekeyCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "r.db")
	oldKey, newKey := filepath.Join(dir, "old.key"), filepath.Join(dir, "new.key")
	for _, p := range []string{oldKey, newKey} {
		if _, err := nikcrypt.CreateKeyFile(p); err != nil {
			t.Fatal(err)
		}
	}
	conf := func(body string) string { return writeConfig(t, "database:\n  path: "+db+"\nnik_encryption:\n"+body) }
	withStore(t, db, keyringFromFile(t, oldKey), func(tx *store.Tx) error {
		if _, err := tx.TouchUser(1, "Sri", ""); err != nil {
			return err
		}
		_, err := tx.InsertCase(store.Case{Code: "JMB-26-00001", ReporterID: 1, Category: "PPKS02", FullName: "Siti Aminah",
			NIK: testNIK, Gender: "P", Address: "a", Kecamatan: "15.71.01", Kelurahan: "15.71.01.1002", Description: "d",
			Urgency: "biasa"})
		return err
	})
	newOnly := conf("  key_file: " + newKey + "\n")
	rotating := conf("  key_file: " + newKey + "\n  old_key_files: [" + oldKey + "]\n")

	if _, _, err := runCmd(t, nil, "-config", newOnly, "migrate"); !errors.Is(err, store.ErrNIKKey) {
		t.Fatalf("start with the new key before rekey = %v; want ErrNIKKey", err)
	}
	if _, _, err := runCmd(t, nil, "-config", rotating, "migrate"); !errors.Is(err, store.ErrNIKRekey) ||
		!strings.Contains(err.Error(), "dinsosbot rekey") {
		t.Fatalf("start with the old key listed before rekey = %v; want a hint to run rekey", err)
	}
	if _, _, err := runCmd(t, nil, "-config", newOnly, "rekey"); !errors.Is(err, store.ErrNIKKey) {
		t.Fatalf("rekey without the old key = %v; want ErrNIKKey", err)
	}
	out, _, err := runCmd(t, nil, "-config", rotating, "rekey")
	if err != nil || !strings.Contains(out, "1 case NIKs") {
		t.Fatalf("rekey = %v, %q", err, out)
	}
	if _, _, err := runCmd(t, nil, "-config", newOnly, "migrate"); err != nil {
		t.Fatalf("start with the new key after rekey: %v", err)
	}
	withStore(t, db, keyringFromFile(t, newKey), func(tx *store.Tx) error {
		cs, err := tx.CasesByNIK(testNIK)
		if err != nil || len(cs) != 1 || cs[0].NIK != testNIK {
			t.Errorf("after rekey the duplicate check finds %+v, %v", cs, err)
		}
		return nil
	})
	if _, _, err := runCmd(t, nil, "-config", conf("  key_file: "+oldKey+"\n"), "migrate"); !errors.Is(err, store.ErrNIKKey) {
		t.Errorf("start with the old key after rekey = %v; want ErrNIKKey", err)
	}
}
