package lease

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// clock is a settable time for the file leaser.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newFiles(t *testing.T) (a, b *File, c *clock) {
	dir := filepath.Join(t.TempDir(), "lease")
	c = &clock{t: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
	return &File{Dir: dir, TTL: 15 * time.Second, Owner: "primary", Now: c.now},
		&File{Dir: dir, TTL: 15 * time.Second, Owner: "standby", Now: c.now}, c
}

func TestFileLease(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T, a, b *File, c *clock)
	}{
		{"the first take is generation 1; a live lease is held", func(t *testing.T, a, b *File, c *clock) {
			l := mustAcquire(t, a)
			if l.Generation != 1 || l.Owner != "primary" {
				t.Fatalf("lease = %+v, want generation 1 of primary", l)
			}
			c.add(14 * time.Second)
			var held *ErrHeld
			if _, err := b.Acquire(ctx); !errors.As(err, &held) || held.Owner != "primary" {
				t.Fatalf("standby took a live lease: err %v", err)
			}
		}},
		{"renewal keeps the generation and pushes the expiry", func(t *testing.T, a, b *File, c *clock) {
			l := mustAcquire(t, a)
			c.add(10 * time.Second)
			r, err := a.Renew(ctx, l)
			if err != nil || r.Generation != 1 || !r.ExpiresAt.Equal(c.now().Add(15*time.Second)) {
				t.Fatalf("renew = %+v, %v", r, err)
			}
			c.add(10 * time.Second) // past the first expiry, within the renewed one
			if _, err := b.Acquire(ctx); err == nil {
				t.Fatal("standby took a renewed lease")
			}
		}},
		{"after expiry the standby takes the next generation and the old holder has lost it", func(t *testing.T, a, b *File, c *clock) {
			l := mustAcquire(t, a)
			c.add(15 * time.Second)
			s := mustAcquire(t, b)
			if s.Generation != 2 || s.Owner != "standby" {
				t.Fatalf("standby's lease = %+v, want generation 2", s)
			}
			if _, err := a.Renew(ctx, l); !errors.Is(err, ErrLost) {
				t.Fatalf("old holder renewed: %v", err)
			}
			if err := a.Release(ctx, l); !errors.Is(err, ErrLost) {
				t.Fatalf("old holder released the new lease: %v", err)
			}
			if cur, err := b.Current(); err != nil || cur.Generation != 2 || cur.Token != s.Token {
				t.Fatalf("current = %+v, %v", cur, err)
			}
		}},
		{"a holder cannot renew a lease it let expire, even with nobody else there", func(t *testing.T, a, b *File, c *clock) {
			l := mustAcquire(t, a)
			c.add(16 * time.Second)
			if _, err := a.Renew(ctx, l); !errors.Is(err, ErrLost) {
				t.Fatalf("renewed after expiry: %v", err)
			}
		}},
		{"a released lease is taken at once, with a new number", func(t *testing.T, a, b *File, c *clock) {
			l := mustAcquire(t, a)
			if err := a.Release(ctx, l); err != nil {
				t.Fatal(err)
			}
			if s := mustAcquire(t, b); s.Generation != 2 {
				t.Fatalf("generation after release = %d, want 2", s.Generation)
			}
		}},
		{"of many taking an expired lease at once, exactly one wins", func(t *testing.T, a, b *File, c *clock) {
			mustAcquire(t, a)
			c.add(time.Minute)
			var wg sync.WaitGroup
			wins := make(chan *Lease, 16)
			for i := range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					f := *b
					f.Owner = string(rune('a' + i))
					if l, err := f.Acquire(ctx); err == nil {
						wins <- l
					}
				}()
			}
			wg.Wait()
			close(wins)
			var got []*Lease
			for l := range wins {
				got = append(got, l)
			}
			if len(got) != 1 || got[0].Generation != 2 {
				t.Fatalf("winners = %+v, want exactly one of generation 2", got)
			}
		}},
		{"a corrupt lease file is an error, not a free lease", func(t *testing.T, a, b *File, c *clock) {
			mustAcquire(t, a)
			if err := os.WriteFile(a.path(1), []byte("{not json"), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Acquire(ctx); err == nil || errors.As(err, new(*ErrHeld)) {
				t.Fatalf("acquire over a corrupt lease: %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b, c := newFiles(t)
			tt.run(t, a, b, c)
		})
	}
}

func mustAcquire(t *testing.T, f *File) *Lease {
	t.Helper()
	l, err := f.Acquire(context.Background())
	if err != nil {
		t.Fatalf("%s: acquire: %v", f.Owner, err)
	}
	return l
}

// failing renews never: a storage outage.
type failing struct{ File }

func (f *failing) Renew(context.Context, *Lease) (*Lease, error) {
	return nil, errors.New("storage unreachable")
}

func TestKeepStopsBeforeExpiryWhenRenewalsFail(t *testing.T) {
	f := &failing{File{Dir: t.TempDir(), TTL: 300 * time.Millisecond, Owner: "primary"}}
	l, err := f.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	k := Keeper{Leaser: f, Every: 50 * time.Millisecond, Margin: 100 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	err = k.Keep(context.Background(), l)
	if err == nil || time.Now().After(l.ExpiresAt.Add(-k.Margin/2)) {
		t.Fatalf("Keep = %v at %v; want an error by %v", err, time.Now(), l.ExpiresAt.Add(-k.Margin))
	}
}

func TestKeepRenewsAndReleasesOnStop(t *testing.T) {
	f := &File{Dir: t.TempDir(), TTL: 200 * time.Millisecond, Owner: "primary"}
	l, err := f.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	k := Keeper{Leaser: f, Every: 20 * time.Millisecond, Margin: 50 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	go func() { done <- k.Keep(ctx, l) }()
	// Held past its first expiry means renewed.
	deadline := time.Now().Add(5 * time.Second)
	for {
		cur, err := f.Current()
		if err != nil {
			t.Fatal(err)
		}
		if cur.ExpiresAt.After(l.ExpiresAt.Add(100 * time.Millisecond)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("lease never renewed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Keep after stop = %v", err)
	}
	other := &File{Dir: f.Dir, TTL: time.Second, Owner: "standby"}
	if s, err := other.Acquire(context.Background()); err != nil || s.Generation != 2 {
		t.Fatalf("after release the standby got %+v, %v", s, err)
	}
}
