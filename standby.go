package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"dinsosbot/bot"
	"dinsosbot/store/lease"
	"dinsosbot/store/replica"
)

// The fence and the standby (issue 16). With standby.lease set, the machine
// that serves the bot holds a lease in the replica's storage: `run` takes it
// at start (and refuses to serve while another machine holds it), renews it
// every standby.lease_renew, and stops polling and sending at once when it
// cannot (bot.Config.Fence), exiting non-zero. `standby` keeps a restored
// copy warm, waits for the lease to expire, takes it, restores the newest
// state and then serves exactly as `run` does, in the same process.

// leaseURL is where the lease lives: standby.lease, or beside the replica;
// "" when there is no fence.
func (c Config) leaseURL() string {
	switch {
	case c.Standby.Lease == "off":
		return ""
	case c.Standby.Lease != "":
		return c.Standby.Lease
	case c.Replication.URL != "":
		return strings.TrimSuffix(c.Replication.URL, "/") + "/lease"
	}
	return ""
}

// leaser is the configured lease's storage; nil when there is no fence.
func (c Config) leaser() (lease.Leaser, error) {
	where := c.leaseURL()
	if where == "" {
		return nil, nil
	}
	u, err := url.Parse(where)
	if err != nil {
		return nil, fmt.Errorf("standby.lease: %w", err)
	}
	ttl, owner := time.Duration(c.Standby.LeaseTTL), lease.DefaultOwner()
	switch u.Scheme {
	case "file":
		return &lease.File{Dir: filepath.Clean(u.Path), TTL: ttl, Owner: owner}, nil
	case "s3":
		r := c.Replication.replica()
		l, err := lease.NewS3(lease.S3Options{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/"), Endpoint: r.Endpoint,
			Region: r.Region, AccessKey: r.Getenv(r.AccessKeyEnv), SecretKey: r.Getenv(r.SecretKeyEnv), TTL: ttl, Owner: owner})
		if err != nil {
			return nil, fmt.Errorf("standby.lease %s: %w (set %s and %s)", where, err, r.AccessKeyEnv, r.SecretKeyEnv)
		}
		return l, nil
	}
	return nil, fmt.Errorf("standby.lease: %q must be file:// or s3://", where)
}

// heldLease is the lease a serving process holds, with what keeps it.
type heldLease struct {
	lsr lease.Leaser
	l   *lease.Lease
	cfg StandbyConfig
}

// takeLease is `run`'s fence: the lease taken now, or an error naming its
// holder; nil (and no error) when no fence is configured.
func takeLease(ctx context.Context, cfg Config, log *slog.Logger) (*heldLease, error) {
	lsr, err := cfg.leaser()
	if lsr == nil || err != nil {
		return nil, err
	}
	l, err := lsr.Acquire(ctx)
	var held *lease.ErrHeld
	if errors.As(err, &held) {
		return nil, fmt.Errorf("another machine serves this bot (%w); this one must not poll or send while it does. "+
			"Run `dinsosbot standby` here to take over when it stops", err)
	}
	if err != nil {
		return nil, fmt.Errorf("take the lease at %s: %w", cfg.leaseURL(), err)
	}
	return &heldLease{lsr: lsr, l: l, cfg: cfg.Standby}, nil
}

// keep renews the lease until stop is called (which releases it and waits);
// the returned channel closes when the lease is lost, which fences the bot.
func (h *heldLease) keep(log *slog.Logger) (fence <-chan struct{}, stop func()) {
	lost := make(chan struct{})
	// Not the signal's context: on SIGTERM the bot drains its outbox, and
	// the lease must stay held until it has stopped sending.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	k := lease.Keeper{Leaser: h.lsr, Every: time.Duration(h.cfg.LeaseRenew), Log: log, Margin: h.margin()}
	go func() {
		defer close(done)
		if err := k.Keep(ctx, h.l); err != nil {
			log.Error("lease lost: stopping polling and sending", "generation", h.l.Generation, "err", err)
			close(lost)
		}
	}()
	return lost, func() { cancel(); <-done }
}

// margin is how long before its expiry a lease not renewed is given up: a
// renewal's interval, so the bot has stopped sending (and writing to the
// replica) well before the standby may take over at the expiry.
func (h *heldLease) margin() time.Duration {
	return min(time.Duration(h.cfg.LeaseRenew), time.Duration(h.cfg.LeaseTTL)/3)
}

// restorer brings the database at dbPath and the media folder to the
// replica's newest state.
type restorer func(ctx context.Context, dbPath, mediaDir string) error

// standby keeps a copy of the replica warm in the configured data folder
// until the lease is free, takes it, restores the newest state and serves.
func standby(ctx context.Context, cfg Config, token string, log *slog.Logger, restore restorer) error {
	lsr, err := cfg.leaser()
	if err != nil {
		return err
	}
	if lsr == nil {
		return errors.New("standby needs a lease (replication.url, or standby.lease): the lease is how it knows the primary is gone, and the fence that keeps two machines from serving at once")
	}
	if restore == nil {
		return errors.New("standby needs replication: it restores the database from the replica")
	}
	dbPath, mediaDir := cfg.Database.Path, cfg.MediaDir
	warm := func(ctx context.Context) error {
		start := time.Now()
		if err := restore(ctx, dbPath, mediaDir); err != nil {
			return err
		}
		log.Debug("standby: copy refreshed from the replica", "took", time.Since(start).Round(time.Millisecond))
		return nil
	}
	// The replica may hold nothing yet (the primary's first start) or be
	// unreachable: wait for it rather than exit.
	for {
		err := warm(ctx)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		log.Warn("standby: cannot restore from the replica yet; trying again", "in", time.Duration(cfg.Standby.WarmEvery), "err", err)
		if bot.Sleep(ctx, time.Duration(cfg.Standby.WarmEvery)) != nil {
			return nil
		}
	}
	log.Info("standby: warm copy restored; waiting for the lease", "lease", cfg.leaseURL(), "database", dbPath)
	next := time.Now().Add(time.Duration(cfg.Standby.WarmEvery))
	poll := min(time.Second, time.Duration(cfg.Standby.LeaseTTL)/10)
	l, err := lease.Take(ctx, lsr, poll, log, func(ctx context.Context) error {
		if time.Now().Before(next) {
			return nil
		}
		next = time.Now().Add(time.Duration(cfg.Standby.WarmEvery))
		// A failed refresh leaves the last copy; the final restore at
		// take-over is the one that counts.
		if err := warm(ctx); err != nil && ctx.Err() == nil {
			log.Warn("standby: refreshing the copy failed; keeping the last one", "err", err)
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("standby: wait for the lease: %w", err)
	}
	held := &heldLease{lsr: lsr, l: l, cfg: cfg.Standby}
	log.Warn("standby: the primary is gone (its lease expired); taking over", "generation", l.Generation)
	start := time.Now()
	if err := restore(ctx, dbPath, mediaDir); err != nil {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = lsr.Release(rctx, l) // let another standby try; an error only makes it wait for the expiry
		return fmt.Errorf("standby: final restore: %w", err)
	}
	log.Info("standby: newest state restored", "took", time.Since(start).Round(time.Millisecond))
	return serveHolding(ctx, cfg, token, cfg.Telegram.APIEndpoint, log, nil, held)
}

// replicaRestorer restores from the configured replica (store/replica),
// replacing what the data folder holds; nil when replication is off.
func replicaRestorer(cfg Config) restorer {
	if cfg.Replication.URL == "" {
		return nil
	}
	return func(ctx context.Context, dbPath, mediaDir string) error {
		// Restore writes beside dbPath and renames, and downloads only
		// the photos the folder lacks: a refresh costs the database's
		// size, not the media's.
		_, err := replica.Restore(ctx, cfg.Replication.replica(), dbPath, mediaDir, replica.RestoreOptions{Force: true})
		return err
	}
}
