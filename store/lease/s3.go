package lease

import (
	"context"
	"errors"
	"fmt"
	"path"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/benbjohnson/litestream"
	lss3 "github.com/benbjohnson/litestream/s3"
)

// S3Options name the bucket and how to reach it.
type S3Options struct {
	Bucket, Prefix       string // the lease is <prefix>/lock.json
	Endpoint, Region     string // Endpoint "" is AWS; otherwise path-style
	AccessKey, SecretKey string
	TTL                  time.Duration
	Owner                string
}

// NewS3 is the lease in an S3 bucket: litestream's s3.Leaser, which takes and
// renews it with conditional writes (If-None-Match: * to create, If-Match:
// <ETag> to renew or delete), so of two machines exactly one succeeds. The
// server must honour them: AWS S3 does since 2024, versitygw's posix backend
// does (loadtest/s3server_test.go checks it).
func NewS3(o S3Options) (Leaser, error) {
	if o.Bucket == "" || o.AccessKey == "" || o.SecretKey == "" {
		return nil, errors.New("lease: S3 needs a bucket and keys")
	}
	opts := awss3.Options{
		Region:      o.Region,
		Credentials: credentials.NewStaticCredentialsProvider(o.AccessKey, o.SecretKey, ""),
		// S3-compatible servers do not all know the newer default checksums.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if o.Endpoint != "" {
		opts.BaseEndpoint, opts.UsePathStyle = aws.String(o.Endpoint), true
	}
	l := lss3.NewLeaser()
	l.SetClient(awss3.New(opts))
	l.Bucket, l.Path, l.TTL, l.Owner = o.Bucket, path.Clean(o.Prefix), o.TTL, o.Owner
	if o.Prefix == "" {
		l.Path = ""
	}
	return &s3Lease{l: l, now: time.Now}, nil
}

type s3Lease struct {
	l   *lss3.Leaser
	now func() time.Time
}

func fromLitestream(l *litestream.Lease) *Lease {
	return &Lease{Generation: l.Generation, ExpiresAt: l.ExpiresAt, Owner: l.Owner, Token: l.ETag}
}

func toLitestream(l *Lease) *litestream.Lease {
	return &litestream.Lease{Generation: l.Generation, ExpiresAt: l.ExpiresAt, Owner: l.Owner, ETag: l.Token}
}

func (s *s3Lease) Acquire(ctx context.Context) (*Lease, error) {
	l, err := s.l.AcquireLease(ctx)
	var exists *litestream.LeaseExistsError
	if errors.As(err, &exists) {
		return nil, &ErrHeld{Owner: exists.Owner, ExpiresAt: exists.ExpiresAt}
	}
	if err != nil {
		return nil, fmt.Errorf("lease: %w", err)
	}
	return fromLitestream(l), nil
}

// Renew is litestream's renewal, with the file lease's rule added: a lease
// that expired before its renewal finished counts as lost, since a standby
// may have taken it in between (litestream's would let it live on).
func (s *s3Lease) Renew(ctx context.Context, l *Lease) (*Lease, error) {
	if l.Expired(s.now()) {
		return nil, fmt.Errorf("%w (it expired at %s before it was renewed)", ErrLost, l.ExpiresAt.UTC().Format(time.RFC3339Nano))
	}
	next, err := s.l.RenewLease(ctx, toLitestream(l))
	if errors.Is(err, litestream.ErrLeaseNotHeld) {
		return nil, ErrLost
	}
	if err != nil {
		return nil, fmt.Errorf("lease: %w", err)
	}
	if l.Expired(s.now()) {
		return nil, fmt.Errorf("%w (the renewal finished after the expiry)", ErrLost)
	}
	return fromLitestream(next), nil
}

func (s *s3Lease) Release(ctx context.Context, l *Lease) error {
	err := s.l.ReleaseLease(ctx, toLitestream(l))
	switch {
	case err == nil, errors.Is(err, lss3.ErrLeaseAlreadyReleased):
		return nil
	case errors.Is(err, litestream.ErrLeaseNotHeld):
		return ErrLost
	}
	return fmt.Errorf("lease: %w", err)
}
