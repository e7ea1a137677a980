package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"dinsosbot/store"
)

// formFetcher is implemented by handlers that check uploaded XLSForm
// workbooks (*flows.App does): the runtime downloads what the flows recorded
// as a form upload and hands the bytes back in a new transaction, since a
// flow runs inside the update's transaction and must not wait on the network.
type formFetcher interface {
	// FormFileFetched gets the bytes of upload id, or failure when the file
	// could not be fetched for good.
	FormFileFetched(tx *store.Tx, id int64, file []byte, failure string) error
}

// FormUploadConfig sets up the download of uploaded forms; zero fields take
// the defaults.
type FormUploadConfig struct {
	// Interval is how often the store is asked for uploads waiting, besides
	// after each batch of updates that recorded one; default 5 s.
	Interval time.Duration
	// MaxBytes refuses a larger file without keeping it; default 2 MiB.
	MaxBytes int64
	// Timeout bounds one download; default 30 s.
	Timeout time.Duration
	// MaxAttempts failed attempts give the upload up; default 4.
	MaxAttempts int
}

func (c *FormUploadConfig) setDefaults() {
	if c.Interval <= 0 {
		c.Interval = 5 * time.Second
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = 2 << 20
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 4
	}
}

// errTooBig: the file is larger than FormUploadConfig.MaxBytes.
var errTooBig = errors.New("file too large")

// formUploadLoop fetches waiting uploads until ctx is cancelled; wake makes
// it look at once (an update just recorded one).
func (b *Bot) formUploadLoop(ctx context.Context, f formFetcher, wake <-chan struct{}) {
	cfg := b.cfg.FormUploads
	cfg.setDefaults()
	api := withContext(ctx, b.api, b.cfg.HTTPClient)
	fileURL := b.cfg.APIBase + "/file/bot" + b.cfg.Token + "/"
	t := time.NewTicker(cfg.Interval)
	defer t.Stop()
	for {
		if err := b.formUploadPass(ctx, cfg, f, api, fileURL); err != nil && ctx.Err() == nil {
			b.log.Error("form upload pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}

func (b *Bot) formUploadPass(ctx context.Context, cfg FormUploadConfig, f formFetcher, api *tgbotapi.BotAPI, fileURL string) error {
	ups, err := b.db.PendingFormUploads(time.Now(), mediaBatch)
	if err != nil {
		return err
	}
	for _, up := range ups {
		if ctx.Err() != nil {
			return nil
		}
		data, err := fetchFormFile(ctx, cfg, api, b.cfg.HTTPClient, fileURL, up.FileID)
		if ctx.Err() != nil {
			return nil
		}
		failure := ""
		if err != nil {
			reason := Redact(err.Error())
			var perm permanentError
			if !errors.As(err, &perm) && !errors.Is(err, errTooBig) && up.Attempts+1 < cfg.MaxAttempts {
				wait := time.Duration(up.Attempts+1) * 5 * time.Second
				b.log.Warn("form upload download failed; will retry", "upload", up.ID, "in", wait, "err", reason)
				if err := b.db.FormUploadRetry(up.ID, time.Now().Add(wait), reason); err != nil {
					return err
				}
				continue
			}
			b.log.Warn("form upload download given up", "upload", up.ID, "err", reason)
			failure = reason
			data = nil
		}
		err = deliverForm(ctx, b.db, f, up.ID, data, failure)
		if err == nil || ctx.Err() != nil {
			continue
		}
		// The check itself failed (the database, or a bug): the upload is
		// tried again later, and given up with a note to the admin rather
		// than retried for ever.
		b.log.Error("form upload check failed", "upload", up.ID, "err", err)
		if up.Attempts+1 < cfg.MaxAttempts {
			if err := b.db.FormUploadRetry(up.ID, time.Now().Add(time.Duration(up.Attempts+1)*5*time.Second), "check failed"); err != nil {
				return err
			}
			continue
		}
		if err := deliverForm(ctx, b.db, f, up.ID, nil, "check failed"); err != nil {
			return fmt.Errorf("form upload %d: %w", up.ID, err)
		}
	}
	return nil
}

// deliverForm hands upload id's bytes (or its failure) to the flows in one
// transaction; a panic there is an error, not the end of the bot.
func deliverForm(ctx context.Context, db *store.DB, f formFetcher, id int64, data []byte, failure string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("form upload %d: panic: %v", id, p)
		}
	}()
	return db.Update(ctx, func(tx *store.Tx) error { return f.FormFileFetched(tx, id, data, failure) })
}

// fetchFormFile downloads a Telegram file into memory, within cfg's size and time.
func fetchFormFile(ctx context.Context, cfg FormUploadConfig, api *tgbotapi.BotAPI, client *http.Client, fileURL, fileID string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	f, err := api.GetFile(tgbotapi.FileConfig{FileID: fileID})
	if err != nil {
		if kind, _ := classify(err); kind == failBadRequest {
			return nil, permanentError{fmt.Errorf("getFile: %s", description(err))}
		}
		return nil, fmt.Errorf("getFile: %s", description(err))
	}
	if f.FilePath == "" {
		return nil, errors.New("getFile: no file_path")
	}
	if int64(f.FileSize) > cfg.MaxBytes {
		return nil, errTooBig
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fileURL+f.FilePath, nil)
	if err != nil {
		return nil, permanentError{err}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, redactedError{err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download: HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, cfg.MaxBytes+1))
	if err != nil {
		return nil, redactedError{err}
	}
	if int64(len(data)) > cfg.MaxBytes {
		return nil, errTooBig
	}
	return data, nil
}
