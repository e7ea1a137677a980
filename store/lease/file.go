package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// File is the lease in a folder (a file:// replica on a disk both machines
// mount). Each generation is its own file, lease-<generation>.json:
//
//   - Taking the lease writes the next generation to a temporary file and
//     hard-links it to its name, which fails when the name exists: of two
//     machines taking over at once, exactly one creates the generation, and
//     the file appears whole (no reader sees it half written).
//   - Renewing rewrites the holder's own generation file (a temporary file
//     renamed over it), after checking that no higher generation exists and
//     that the file still carries this holding's token. A renewal that
//     finishes only after the old expiry counts as lost: a standby may have
//     read the lease as expired meanwhile.
//   - Releasing writes the holder's generation as already expired, so the
//     standby takes over at once; the number is never reused.
//
// The expiry is wall-clock time: the machines' clocks must agree (NTP) to
// well within the TTL.
type File struct {
	Dir   string
	TTL   time.Duration
	Owner string
	Now   func() time.Time // nil: time.Now
}

// keepGenerations is how many old generation files stay in the folder, for
// the record of who served when.
const keepGenerations = 20

func (f *File) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f *File) path(gen int64) string {
	return filepath.Join(f.Dir, fmt.Sprintf("lease-%012d.json", gen))
}

// Current is the newest generation, nil when none was ever taken.
func (f *File) Current() (*Lease, error) {
	gens, err := f.generations()
	if err != nil || len(gens) == 0 {
		return nil, err
	}
	return f.read(gens[len(gens)-1])
}

// generations lists the generation files' numbers, ascending.
func (f *File) generations() ([]int64, error) {
	entries, err := os.ReadDir(f.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lease: list %s: %w", f.Dir, err)
	}
	var gens []int64
	for _, e := range entries {
		s, ok := strings.CutPrefix(e.Name(), "lease-")
		if !ok {
			continue
		}
		s, ok = strings.CutSuffix(s, ".json")
		if !ok {
			continue
		}
		if g, err := strconv.ParseInt(s, 10, 64); err == nil && g > 0 {
			gens = append(gens, g)
		}
	}
	// Zero-padded names list in order already; numbers past the padding
	// would not, so sort to be sure.
	slices.Sort(gens)
	return gens, nil
}

func (f *File) read(gen int64) (*Lease, error) {
	b, err := os.ReadFile(f.path(gen))
	if err != nil {
		return nil, fmt.Errorf("lease: read generation %d: %w", gen, err)
	}
	var l Lease
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("lease: generation %d is corrupt: %w", gen, err)
	}
	if l.Generation != gen {
		return nil, fmt.Errorf("lease: file of generation %d says %d", gen, l.Generation)
	}
	return &l, nil
}

// writeTemp writes l to a new temporary file in the folder, synced.
func (f *File) writeTemp(l *Lease) (string, error) {
	b, err := json.Marshal(l)
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(f.Dir, ".lease-*.tmp")
	if err != nil {
		return "", fmt.Errorf("lease: %w", err)
	}
	_, werr := tmp.Write(b)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("lease: write %s: %w", tmp.Name(), err)
	}
	return tmp.Name(), nil
}

func (f *File) Acquire(ctx context.Context) (*Lease, error) {
	if err := os.MkdirAll(f.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("lease: %w", err)
	}
	cur, err := f.Current()
	if err != nil {
		return nil, err
	}
	now := f.now()
	gen := int64(1)
	if cur != nil {
		if !cur.Expired(now) {
			return nil, &ErrHeld{Owner: cur.Owner, ExpiresAt: cur.ExpiresAt}
		}
		gen = cur.Generation + 1
	}
	l := &Lease{Generation: gen, ExpiresAt: now.Add(f.TTL), Owner: f.Owner, Token: newToken()}
	tmp, err := f.writeTemp(l)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, f.path(gen)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another machine took this generation first.
			if other, rerr := f.read(gen); rerr == nil {
				return nil, &ErrHeld{Owner: other.Owner, ExpiresAt: other.ExpiresAt}
			}
			return nil, &ErrHeld{}
		}
		return nil, fmt.Errorf("lease: take generation %d: %w", gen, err)
	}
	if err := syncDir(f.Dir); err != nil {
		return nil, err
	}
	f.prune(gen)
	return l, nil
}

func (f *File) Renew(ctx context.Context, l *Lease) (*Lease, error) {
	if l == nil {
		return nil, errors.New("lease: renew without a lease")
	}
	if l.Expired(f.now()) {
		return nil, fmt.Errorf("%w (it expired at %s before it was renewed)", ErrLost, l.ExpiresAt.UTC().Format(time.RFC3339Nano))
	}
	if err := f.stillMine(l); err != nil {
		return nil, err
	}
	next := &Lease{Generation: l.Generation, ExpiresAt: f.now().Add(f.TTL), Owner: l.Owner, Token: l.Token}
	tmp, err := f.writeTemp(next)
	if err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, f.path(l.Generation)); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("lease: renew generation %d: %w", l.Generation, err)
	}
	if err := syncDir(f.Dir); err != nil {
		return nil, err
	}
	// Written after the old expiry, the renewal may have come too late: a
	// standby reading in between saw the lease free.
	if l.Expired(f.now()) {
		return nil, fmt.Errorf("%w (the renewal finished after the expiry)", ErrLost)
	}
	if err := f.stillMine(l); err != nil {
		return nil, err
	}
	return next, nil
}

// stillMine checks that l is the newest generation and carries l's token.
func (f *File) stillMine(l *Lease) error {
	cur, err := f.Current()
	if err != nil {
		return err
	}
	if cur == nil || cur.Generation != l.Generation || cur.Token != l.Token {
		if cur != nil {
			return fmt.Errorf("%w (generation %d of %q)", ErrLost, cur.Generation, cur.Owner)
		}
		return ErrLost
	}
	return nil
}

func (f *File) Release(ctx context.Context, l *Lease) error {
	if l == nil {
		return nil
	}
	if err := f.stillMine(l); err != nil {
		return err
	}
	done := &Lease{Generation: l.Generation, ExpiresAt: f.now(), Owner: l.Owner, Token: l.Token}
	tmp, err := f.writeTemp(done)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, f.path(l.Generation)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("lease: release generation %d: %w", l.Generation, err)
	}
	return syncDir(f.Dir)
}

// prune removes generation files older than the last keepGenerations; a
// failure only leaves a file behind.
func (f *File) prune(newest int64) {
	gens, err := f.generations()
	if err != nil {
		return
	}
	for _, g := range gens {
		if g <= newest-keepGenerations {
			os.Remove(f.path(g))
		}
	}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("lease: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("lease: sync %s: %w", dir, err)
	}
	return nil
}

func newToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b)
}
