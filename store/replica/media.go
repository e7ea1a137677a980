package replica

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
)

// tombstoneFile, in the media folder, lists media paths erased here but not
// yet on the replica, one a line: an erasure survives a restart (or a
// replica that is down) until the replica has forgotten the file too.
const tombstoneFile = ".replica-deletes"

// mediaStore is the replica's media/ folder.
type mediaStore interface {
	put(ctx context.Context, rel string, r io.Reader, size int64) error
	// remove deletes rel, a file or a folder with everything in it; one
	// already gone is fine.
	remove(ctx context.Context, rel string) error
	// list maps every file's path to its size.
	list(ctx context.Context) (map[string]int64, error)
	get(ctx context.Context, rel string) (io.ReadCloser, error)
}

func (c Config) mediaStore(ctx context.Context) (mediaStore, error) {
	scheme, where, prefix, err := c.location()
	if err != nil {
		return nil, err
	}
	if scheme == "file" {
		return fileMedia{root: filepath.Join(where, "media")}, nil
	}
	ak, sk := c.Getenv(c.AccessKeyEnv), c.Getenv(c.SecretKeyEnv)
	if ak == "" || sk == "" {
		return nil, fmt.Errorf("replication: set %s and %s to the S3 keys", c.AccessKeyEnv, c.SecretKeyEnv)
	}
	opts := awss3.Options{
		Region:      c.Region,
		Credentials: credentials.NewStaticCredentialsProvider(ak, sk, ""),
		// S3-compatible servers do not all know the newer default
		// checksums.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if c.Endpoint != "" {
		opts.BaseEndpoint, opts.UsePathStyle = aws.String(c.Endpoint), true
	}
	return s3Media{cl: awss3.New(opts), bucket: where, prefix: path.Join(prefix, "media") + "/"}, nil
}

// PutMedia copies the media file rel (relative to the media folder, as the
// database records it) to the replica. A failure is logged and counted; the
// rescan every few minutes uploads it again.
func (r *Replicator) PutMedia(ctx context.Context, rel string) error {
	if err := r.putMedia(ctx, rel); err != nil {
		r.mediaErrs.Add(1)
		r.log.Warn("media upload failed; the next rescan retries it", "path", rel, "err", err)
		return err
	}
	return nil
}

func (r *Replicator) putMedia(ctx context.Context, rel string) error {
	rel = filepath.ToSlash(rel)
	if !filepath.IsLocal(rel) || r.mediaDir == "" {
		return fmt.Errorf("replicate media %q: not in the media folder", rel)
	}
	f, err := os.Open(filepath.Join(r.mediaDir, filepath.FromSlash(rel)))
	if err != nil {
		return fmt.Errorf("replicate media: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("replicate media: %w", err)
	}
	if err := r.media.put(ctx, rel, f, st.Size()); err != nil {
		return fmt.Errorf("replicate media %s: %w", rel, err)
	}
	return nil
}

// DeleteMedia removes rel (a file or a case's folder) from the replica after
// an erasure. It only records the deletion (in the media folder's tombstone
// file) and returns: the replica is told in the background, and again
// after a restart until it has taken it, so an erasure never waits on the
// network nor is lost to it.
func (r *Replicator) DeleteMedia(ctx context.Context, rel string) error {
	rel = filepath.ToSlash(rel)
	if !filepath.IsLocal(rel) || r.mediaDir == "" {
		return fmt.Errorf("erase replicated media %q: not in the media folder", rel)
	}
	r.tombMu.Lock()
	err := appendLine(filepath.Join(r.mediaDir, tombstoneFile), rel)
	r.tombMu.Unlock()
	if err != nil {
		return fmt.Errorf("erase replicated media: %w", err)
	}
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return nil
}

func appendLine(name, line string) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// mediaLoop applies pending deletions when woken, and rescans the media
// folder at start and every rescanEvery.
func (r *Replicator) mediaLoop(ctx context.Context) {
	if r.mediaDir == "" {
		return
	}
	t := time.NewTicker(rescanEvery)
	defer t.Stop()
	rescan := true
	for {
		if err := r.applyTombstones(ctx); err != nil && ctx.Err() == nil {
			r.mediaErrs.Add(1)
			r.log.Warn("erasing media on the replica failed; will retry", "err", err)
		}
		if rescan {
			if err := r.Rescan(ctx); err != nil && ctx.Err() == nil {
				r.mediaErrs.Add(1)
				r.log.Warn("media rescan failed; will retry", "err", err)
			}
			rescan = false
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-t.C:
			rescan = true
		}
	}
}

// applyTombstones deletes on the replica what the tombstone file lists and
// keeps in it what failed.
func (r *Replicator) applyTombstones(ctx context.Context) error {
	name := filepath.Join(r.mediaDir, tombstoneFile)
	r.tombMu.Lock()
	pending, err := readLines(name)
	r.tombMu.Unlock()
	if err != nil || len(pending) == 0 {
		return err
	}
	done := map[string]bool{}
	var errs []error
	for _, rel := range pending {
		if done[rel] {
			continue
		}
		if err := r.media.remove(ctx, rel); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", rel, err))
			continue
		}
		done[rel] = true
	}
	// Lines added meanwhile stay.
	r.tombMu.Lock()
	defer r.tombMu.Unlock()
	now, err := readLines(name)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	var keep []string
	for _, rel := range now {
		if !done[rel] {
			keep = append(keep, rel)
		}
	}
	if len(keep) == 0 {
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	} else if err := os.WriteFile(name, []byte(strings.Join(keep, "\n")+"\n"), 0o600); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func readLines(name string) ([]string, error) {
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	return out, sc.Err()
}

// Rescan uploads every media file the replica lacks (or holds with another
// size): what an upload that failed, or the bot's crash, left behind.
func (r *Replicator) Rescan(ctx context.Context) error {
	remote, err := r.media.list(ctx)
	if err != nil {
		return fmt.Errorf("list replicated media: %w", err)
	}
	local, err := localMedia(r.mediaDir)
	if err != nil {
		return err
	}
	var errs []error
	for rel, size := range local {
		if rs, ok := remote[rel]; ok && rs == size {
			continue
		}
		if err := r.putMedia(ctx, rel); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// localMedia lists the media folder's files (not the tombstones nor
// half-written downloads, whose names start with a dot).
func localMedia(dir string) (map[string]int64, error) {
	out := map[string]int64{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = info.Size()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list media folder: %w", err)
	}
	return out, nil
}

// fileMedia is a folder on a mounted disk.
type fileMedia struct{ root string }

func (m fileMedia) put(_ context.Context, rel string, r io.Reader, _ int64) error {
	name := filepath.Join(m.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return err
	}
	return writeAtomic(name, r)
}

// writeAtomic writes r to name through a temporary file renamed at the end;
// media are personal data: 0600.
func writeAtomic(name string, r io.Reader) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".put-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

func (m fileMedia) remove(_ context.Context, rel string) error {
	return os.RemoveAll(filepath.Join(m.root, filepath.FromSlash(rel)))
}

func (m fileMedia) list(context.Context) (map[string]int64, error) { return localMedia(m.root) }

func (m fileMedia) get(_ context.Context, rel string) (io.ReadCloser, error) {
	return os.Open(filepath.Join(m.root, filepath.FromSlash(rel)))
}

// s3Media is the media/ prefix of an S3 bucket.
type s3Media struct {
	cl     *awss3.Client
	bucket string
	prefix string // ends in "/"
}

func (m s3Media) put(ctx context.Context, rel string, r io.Reader, size int64) error {
	_, err := m.cl.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(m.bucket), Key: aws.String(m.prefix + rel),
		Body: r, ContentLength: aws.Int64(size)})
	return err
}

func (m s3Media) remove(ctx context.Context, rel string) error {
	if _, err := m.cl.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String(m.bucket),
		Key: aws.String(m.prefix + rel)}); err != nil {
		return err
	}
	// A folder: everything under it.
	p := awss3.NewListObjectsV2Paginator(m.cl, &awss3.ListObjectsV2Input{Bucket: aws.String(m.bucket),
		Prefix: aws.String(m.prefix + strings.TrimSuffix(rel, "/") + "/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, o := range page.Contents {
			if _, err := m.cl.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String(m.bucket), Key: o.Key}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m s3Media) list(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	p := awss3.NewListObjectsV2Paginator(m.cl, &awss3.ListObjectsV2Input{Bucket: aws.String(m.bucket),
		Prefix: aws.String(m.prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			out[strings.TrimPrefix(aws.ToString(o.Key), m.prefix)] = aws.ToInt64(o.Size)
		}
	}
	return out, nil
}

func (m s3Media) get(ctx context.Context, rel string) (io.ReadCloser, error) {
	out, err := m.cl.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(m.bucket), Key: aws.String(m.prefix + rel)})
	if err != nil {
		return nil, err
	}
	return out.Body, nil
}
