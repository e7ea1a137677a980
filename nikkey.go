package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"dinsosbot/store"
	"dinsosbot/store/nikcrypt"
)

// NIKEncryptionConfig says where the key that encrypts NIKs at rest comes
// from: a file or an environment variable, never the database or this file.
type NIKEncryptionConfig struct {
	// KeyFile holds the key (44 base64 characters). "" (and no KeyEnv) is
	// nik.key in the database's folder, created on first start.
	KeyFile string `yaml:"key_file"`
	// KeyEnv names an environment variable holding the key instead.
	KeyEnv string `yaml:"key_env"`
	// OldKeyFiles and OldKeyEnvs are keys used before a rotation: they only
	// decrypt, for `dinsosbot rekey`.
	OldKeyFiles []string `yaml:"old_key_files"`
	OldKeyEnvs  []string `yaml:"old_key_envs"`
}

// defaultNIKKeyName is the key file's name beside the database when none is
// configured. It does not start with the database's name, so a copy of
// "dinsosbot.db*" (the file and its WAL) does not take the key along.
const defaultNIKKeyName = "nik.key"

func (n NIKEncryptionConfig) validate() error {
	if n.KeyFile != "" && n.KeyEnv != "" {
		return errors.New("nik_encryption: set key_file or key_env, not both")
	}
	return nil
}

// keyFile is the configured key file, or the default beside dbPath.
func (n NIKEncryptionConfig) keyFile(dbPath string) string {
	if n.KeyFile != "" {
		return n.KeyFile
	}
	return filepath.Join(filepath.Dir(dbPath), defaultNIKKeyName)
}

// nikKeyring loads the configured keys. With no key configured and no key
// file yet, it creates the default key file and returns its path as created,
// for the caller to remove if the database turns out to be sealed with
// another key. The key itself is never logged or put in an error. An explicit
// key_file that is missing is an error: a mount that failed must not become a
// new key.
func nikKeyring(n NIKEncryptionConfig, dbPath string, getenv func(string) string, log *slog.Logger) (kr *nikcrypt.Keyring, created string, err error) {
	var current []byte
	switch {
	case n.KeyEnv != "":
		if current, err = secretFromEnv(n.KeyEnv, getenv); err != nil {
			return nil, "", fmt.Errorf("nik_encryption.key_env: %w", err)
		}
	default:
		path := n.keyFile(dbPath)
		current, err = readKeyFile(path, log)
		if errors.Is(err, fs.ErrNotExist) && n.KeyFile == "" {
			if current, err = nikcrypt.CreateKeyFile(path); err != nil {
				return nil, "", err
			}
			created = path
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("nik_encryption.key_file: %w (restore the key file; for a new database, make one "+
				"with: head -c 32 /dev/urandom | base64 > %s && chmod 600 %s)", err, path, path)
		}
		if err != nil {
			return nil, "", fmt.Errorf("nik_encryption.key_file: %w", err)
		}
	}
	var old [][]byte
	for i, p := range n.OldKeyFiles {
		s, err := readKeyFile(p, log)
		if err != nil {
			return nil, "", fmt.Errorf("nik_encryption.old_key_files[%d]: %w", i, err)
		}
		old = append(old, s)
	}
	for i, e := range n.OldKeyEnvs {
		s, err := secretFromEnv(e, getenv)
		if err != nil {
			return nil, "", fmt.Errorf("nik_encryption.old_key_envs[%d]: %w", i, err)
		}
		old = append(old, s)
	}
	kr, err = nikcrypt.NewKeyring(current, old...)
	if err != nil {
		return nil, "", fmt.Errorf("nik_encryption: %w", err)
	}
	return kr, created, nil
}

func secretFromEnv(name string, getenv func(string) string) ([]byte, error) {
	v := getenv(name)
	if v == "" {
		return nil, fmt.Errorf("%s is not set (it must hold the NIK key, 44 base64 characters)", name)
	}
	s, err := nikcrypt.ParseSecret([]byte(v))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// readKeyFile reads a key file, warning when others than its owner may read
// it (a container's secret mount may not allow 0600, so it is not refused).
func readKeyFile(path string, log *slog.Logger) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		log.Warn("the NIK key file can be read by others than its owner; chmod 600 it", "key_file", path,
			"mode", st.Mode().Perm().String())
	}
	return nikcrypt.ReadKeyFile(path)
}

// openStore opens the configured database with the configured NIK keys; with
// rekey it seals everything again with the current key (Rekey) and returns a
// nil DB.
func openStore(ctx context.Context, cfg Config, getenv func(string) string, log *slog.Logger, rekey bool) (*store.DB, store.NIKStats, error) {
	kr, created, err := nikKeyring(cfg.NIKEncryption, cfg.Database.Path, getenv, log)
	if err != nil {
		return nil, store.NIKStats{}, err
	}
	opts := store.Options{NIKKeys: kr}
	var db *store.DB
	var stats store.NIKStats
	if rekey {
		stats, err = store.Rekey(ctx, cfg.Database.Path, opts)
	} else {
		db, err = store.Open(ctx, cfg.Database.Path, opts)
	}
	if err != nil && created != "" && (errors.Is(err, store.ErrNIKKey) || errors.Is(err, store.ErrNIKRekey)) {
		// The key file was missing but the database is sealed: the new key is
		// of no use, and keeping it would only hide the real one's absence.
		if rerr := os.Remove(created); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return nil, stats, fmt.Errorf("%w\nThe key file %s was missing (a new one was made and removed again): put back the key this database was created with", err, created)
	}
	if err != nil {
		return nil, stats, err
	}
	if created != "" {
		log.Warn("created a new NIK encryption key: back it up now, apart from the database and its backups "+
			"(without it no NIK in them can be read; with it and a backup, anyone can)",
			"key_file", created, "key_id", kr.Current().ID())
	}
	log.Info("NIKs are encrypted at rest", "key_id", kr.Current().ID())
	return db, stats, nil
}
