// Package lease is the fence between a primary and its standby: one lease
// in the replica's storage, held by the one machine that may poll Telegram
// and send for the bot. The holder renews it well before it expires; a
// holder that cannot renew in time stops serving, and only then may another
// machine take it (after expiry), with the next generation number.
//
// Two kinds: a folder (file:// replicas, a mounted disk), implemented here,
// and an S3 bucket, where litestream's s3.Leaser does the same with
// conditional writes (If-None-Match / If-Match) and this package adapts it.
package lease

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// Lease is one holding of the fence.
type Lease struct {
	// Generation counts the holdings since the lease was first taken: each
	// take-over adds one, a renewal keeps it. It names who served when.
	Generation int64     `json:"generation"`
	ExpiresAt  time.Time `json:"expires_at"`
	Owner      string    `json:"owner,omitempty"`
	// Token proves a renewal comes from this holding and not from an older
	// one of the same owner (a file's nonce, an S3 ETag).
	Token string `json:"token"`
}

// Expired says whether the lease is free to take at now.
func (l *Lease) Expired(now time.Time) bool { return !now.Before(l.ExpiresAt) }

// Leaser takes, renews and gives back the lease.
type Leaser interface {
	// Acquire takes the lease when it is free or expired; a live lease of
	// someone else's is an *ErrHeld.
	Acquire(ctx context.Context) (*Lease, error)
	// Renew extends l; ErrLost when someone else holds the lease now.
	Renew(ctx context.Context, l *Lease) (*Lease, error)
	// Release gives l back at once, so a standby need not wait for expiry.
	Release(ctx context.Context, l *Lease) error
}

// ErrLost is Renew's answer when the lease was taken by another machine.
var ErrLost = errors.New("lease lost: another machine holds it")

// ErrHeld is Acquire's answer when another machine holds a live lease.
type ErrHeld struct {
	Owner     string
	ExpiresAt time.Time
}

func (e *ErrHeld) Error() string {
	return fmt.Sprintf("lease held by %q until %s", e.Owner, e.ExpiresAt.UTC().Format(time.RFC3339Nano))
}

// DefaultOwner names this process: host name and pid.
func DefaultOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}
