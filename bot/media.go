package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"dinsosbot/store"
)

// MediaConfig sets up the background download of case photos. The zero value
// downloads nothing.
type MediaConfig struct {
	// Dir is the media folder photos are saved in (created with mode 0700);
	// "" turns downloading off. Files are Dir/case-<id>/<file_unique_id>.jpg.
	Dir string
	// Interval is how often the store is asked for photos waiting; default 10 s.
	Interval time.Duration
	// MaxAttempts is how many failed attempts make a photo be given up;
	// default 8. A file Telegram no longer knows (400) is given up at once.
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the wait before a retry, doubling from
	// MinBackoff; defaults 5 s and 10 min.
	MinBackoff, MaxBackoff time.Duration
}

func (c *MediaConfig) setDefaults() {
	if c.Interval <= 0 {
		c.Interval = 10 * time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 8
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 5 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 10 * time.Minute
	}
}

// mediaBatch is how many due photos one pass handles.
const mediaBatch = 20

// downloader saves the photos the store lists as waiting: getFile, then the
// file itself, with retry and backoff. Retry times use the wall clock, not the
// store's clock, like the sender's.
type downloader struct {
	cfg     MediaConfig
	db      *store.DB
	api     *tgbotapi.BotAPI
	client  *http.Client
	fileURL string  // APIBase + "/file/bot" + token + "/"
	replica Replica // nil: replication off
	log     interface {
		Warn(msg string, args ...any)
		Error(msg string, args ...any)
	}
}

// mediaLoop downloads waiting photos until ctx is cancelled.
func (b *Bot) mediaLoop(ctx context.Context) {
	cfg := b.cfg.Media
	cfg.setDefaults()
	d := &downloader{cfg: cfg, db: b.db, api: withContext(ctx, b.api, b.cfg.HTTPClient), client: b.cfg.HTTPClient,
		fileURL: b.cfg.APIBase + "/file/bot" + b.cfg.Token + "/", log: b.log, replica: b.cfg.Replica}
	t := time.NewTicker(cfg.Interval)
	defer t.Stop()
	for {
		if err := d.pass(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("photo download pass failed", "err", err)
		}
		if err := d.passForms(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("form media download pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pass handles the photos due now.
func (d *downloader) pass(ctx context.Context) error {
	photos, err := d.db.PendingPhotos(time.Now(), mediaBatch)
	if err != nil {
		return err
	}
	for _, p := range photos {
		if ctx.Err() != nil {
			return nil
		}
		rel, err := d.fetch(ctx, p)
		if err == nil {
			err := d.db.PhotoDownloaded(p.ID, rel)
			if errors.Is(err, store.ErrPhotoGone) {
				// The case was erased while the file was on its way: it must
				// not stay behind with nothing pointing at it.
				if rerr := os.Remove(filepath.Join(d.cfg.Dir, filepath.FromSlash(rel))); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
					return errors.Join(err, rerr)
				}
				_ = os.Remove(filepath.Join(d.cfg.Dir, store.CaseMediaDir(p.CaseID))) // only when empty
				continue
			}
			if err != nil {
				return err
			}
			if d.replica != nil {
				// A failure is logged and counted there; the replica's
				// rescan uploads the file later.
				_ = d.replica.PutMedia(ctx, rel)
			}
			continue
		}
		if ctx.Err() != nil {
			return nil
		}
		reason := Redact(err.Error())
		var perm permanentError
		if errors.As(err, &perm) || p.Attempts+1 >= d.cfg.MaxAttempts {
			d.log.Warn("photo download given up", "photo", p.ID, "case", p.CaseID, "err", reason)
			if err := d.db.PhotoFailed(p.ID, reason); err != nil {
				return err
			}
			continue
		}
		wait := d.backoff(p.Attempts)
		d.log.Warn("photo download failed; will retry", "photo", p.ID, "in", wait, "err", reason)
		if err := d.db.PhotoRetry(p.ID, time.Now().Add(wait), reason); err != nil {
			return err
		}
	}
	return nil
}

func (d *downloader) backoff(attempts int) time.Duration {
	w := time.Duration(float64(d.cfg.MinBackoff) * math.Pow(2, float64(attempts)))
	if w <= 0 || w > d.cfg.MaxBackoff {
		w = d.cfg.MaxBackoff
	}
	return w
}

type permanentError struct{ error }

// fetch downloads photo p and returns its path relative to the media folder.
func (d *downloader) fetch(ctx context.Context, p store.CasePhoto) (string, error) {
	f, err := d.api.GetFile(tgbotapi.FileConfig{FileID: p.FileID})
	if err != nil {
		if kind, _ := classify(err); kind == failBadRequest {
			return "", permanentError{fmt.Errorf("getFile: %s", description(err))}
		}
		return "", fmt.Errorf("getFile: %s", description(err))
	}
	if f.FilePath == "" {
		return "", errors.New("getFile: no file_path")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.fileURL+f.FilePath, nil)
	if err != nil {
		return "", permanentError{err}
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return "", redactedError{err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("download: HTTP %d", resp.StatusCode)
	}
	ext := path.Ext(f.FilePath)
	if ext == "" || len(ext) > 5 {
		ext = ".jpg"
	}
	rel := filepath.Join(store.CaseMediaDir(p.CaseID), store.SafeFileName(p.FileUniqueID, "photo")+ext)
	if err := writeFile(filepath.Join(d.cfg.Dir, rel), resp.Body); err != nil {
		return "", err
	}
	return filepath.ToSlash(rel), nil
}

// passForms handles the media of form submissions due now, as pass does
// case photos: the file goes to the path the submission already names.
func (d *downloader) passForms(ctx context.Context) error {
	media, err := d.db.PendingFormMedia(time.Now(), mediaBatch)
	if err != nil {
		return err
	}
	for _, m := range media {
		if ctx.Err() != nil {
			return nil
		}
		err := d.fetchTo(ctx, m.FileID, m.LocalPath)
		if err == nil {
			err := d.db.FormMediaDownloaded(m.ID)
			if errors.Is(err, store.ErrPhotoGone) {
				if rerr := os.Remove(filepath.Join(d.cfg.Dir, filepath.FromSlash(m.LocalPath))); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
					return errors.Join(err, rerr)
				}
				continue
			}
			if err != nil {
				return err
			}
			if d.replica != nil {
				_ = d.replica.PutMedia(ctx, m.LocalPath) // as for photos: the rescan retries
			}
			continue
		}
		if ctx.Err() != nil {
			return nil
		}
		reason := Redact(err.Error())
		var perm permanentError
		if errors.As(err, &perm) || m.Attempts+1 >= d.cfg.MaxAttempts {
			d.log.Warn("form media download given up", "media", m.ID, "submission", m.SubmissionID, "err", reason)
			if err := d.db.FormMediaFailed(m.ID, reason); err != nil {
				return err
			}
			continue
		}
		wait := d.backoff(m.Attempts)
		d.log.Warn("form media download failed; will retry", "media", m.ID, "in", wait, "err", reason)
		if err := d.db.FormMediaRetry(m.ID, time.Now().Add(wait), reason); err != nil {
			return err
		}
	}
	return nil
}

// fetchTo downloads file id to rel (relative to the media folder).
func (d *downloader) fetchTo(ctx context.Context, fileID, rel string) error {
	clean := filepath.Clean(filepath.FromSlash(rel))
	if rel == "" || filepath.IsAbs(clean) || strings.HasPrefix(clean, "..") {
		return permanentError{fmt.Errorf("bad media path %q", rel)}
	}
	f, err := d.api.GetFile(tgbotapi.FileConfig{FileID: fileID})
	if err != nil {
		if kind, _ := classify(err); kind == failBadRequest {
			return permanentError{fmt.Errorf("getFile: %s", description(err))}
		}
		return fmt.Errorf("getFile: %s", description(err))
	}
	if f.FilePath == "" {
		return errors.New("getFile: no file_path")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.fileURL+f.FilePath, nil)
	if err != nil {
		return permanentError{err}
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return redactedError{err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("download: HTTP %d", resp.StatusCode)
	}
	return writeFile(filepath.Join(d.cfg.Dir, clean), resp.Body)
}

// writeFile writes r to name through a temporary file renamed at the end, so
// a half-written photo never looks complete. Photos are personal data: 0600.
func writeFile(name string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return fmt.Errorf("save photo: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".download-*")
	if err != nil {
		return fmt.Errorf("save photo: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return fmt.Errorf("save photo: %w", redactedError{err})
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save photo: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save photo: %w", err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("save photo: %w", err)
	}
	return nil
}
