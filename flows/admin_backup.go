package flows

import (
	"fmt"
	"os"
	"strconv"

	"dinsosbot/store"
)

// maxDocument is the Bot API's upload limit for sendDocument.
const maxDocument = 50 << 20

// cmdBackup is /cadangan: a consistent online copy of the database (VACUUM
// INTO through a reader beside the writer), sent to the admin as a document.
// The copy holds what was committed before this command; its bytes leave the
// outbox once sent (sweepBackups).
func (a *App) cmdBackup(c *Ctx, s *session) error {
	dir, err := os.MkdirTemp("", "dinsosbot-backup-")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(dir)
	path, err := c.Tx.Backup(dir)
	if err != nil {
		return err
	}
	file, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := c.Tx.Audit(c.User.ID, "backup", "size="+strconv.Itoa(len(file))); err != nil {
		return err
	}
	if len(file) > maxDocument {
		return c.Reply(c.T("adm.backup.too_big", "mb", itoa(len(file)>>20)))
	}
	name := "dinsosbot-" + c.Tx.Now().In(a.cfg.Location).Format("20060102-1504") + ".db"
	ref, err := c.Send(store.Message{Kind: store.KindDocument, FileName: name, File: file,
		Text: c.T("adm.backup.caption", "kb", itoa((len(file)+1023)/1024))})
	if err != nil {
		return err
	}
	if err := c.Tx.AddBackup(c.User.ID, len(file), ref); err != nil {
		return err
	}
	if s != nil {
		return a.reprompt(c, s, c.T("flow.resume"))
	}
	return nil
}

// sweepAdmin is the admin console's part of Sweep: broadcast progress, and
// dropping the bytes of backups and other documents (exports, photo ZIPs)
// already sent.
func (a *App) sweepAdmin(tx *store.Tx) error {
	if err := a.sweepBroadcasts(tx); err != nil {
		return fmt.Errorf("sweep broadcasts: %w", err)
	}
	if err := tx.ClearSentBackups(); err != nil {
		return fmt.Errorf("sweep backups: %w", err)
	}
	if err := tx.ClearSentDocuments(); err != nil {
		return fmt.Errorf("sweep documents: %w", err)
	}
	return nil
}
