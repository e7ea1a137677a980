package flows

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"dinsosbot/store"
)

// The optional ZIP of /ekspor: the photos of the exported cases as
// <case code>/<n>.jpg, read from the media folder bot/media.go downloads them
// into; photos not (yet) there are listed in MISSING.txt. A ZIP bigger than
// zipPartLimit is split into parts, each a complete archive; more than
// maxZipParts parts is refused as too big (narrow the filter instead).

// zipPartLimit keeps each part well under Telegram's 50 MB sendDocument limit
// (maxDocument). A variable so tests can split small exports.
var zipPartLimit int64 = 45 << 20

// maxZipParts bounds one export's ZIP parts: every part sits in the outbox
// (the database) until it is sent.
const maxZipParts = 4

// zipEntryOverhead bounds a stored entry's headers besides its name (local
// header, data descriptor, central directory record).
const zipEntryOverhead = 30 + 24 + 46

// missingLineBudget reserves room for one line of MISSING.txt per photo.
const missingLineBudget = 160

// zipPhoto is one photo of the export, found in the media folder or not.
type zipPhoto struct {
	name string // in the archive: <case code>/<n>.jpg
	path string // on disk; "" when missing
	size int64
	why  string // catalogue key of why it is missing
}

// planPhotos lists the photos of rows in export order.
func (a *App) planPhotos(rows []store.ExportRow) []zipPhoto {
	var out []zipPhoto
	for _, r := range rows {
		for i, p := range r.Photos {
			ext := strings.ToLower(path.Ext(p.LocalPath))
			if ext == "" || len(ext) > 5 {
				ext = ".jpg"
			}
			z := zipPhoto{name: zipSafe(r.Code) + "/" + strconv.Itoa(i+1) + ext}
			rel := filepath.FromSlash(p.LocalPath)
			switch {
			case p.Status == store.PhotoFailed:
				z.why = "exp.zip.why.failed"
			case p.Status != store.PhotoDone || p.LocalPath == "":
				z.why = "exp.zip.why.pending"
			case !filepath.IsLocal(rel):
				z.why = "exp.zip.why.gone"
			default:
				full := filepath.Join(a.cfg.MediaDir, rel)
				if info, err := os.Stat(full); err != nil || !info.Mode().IsRegular() {
					z.why = "exp.zip.why.gone"
				} else {
					z.path, z.size = full, info.Size()
				}
			}
			out = append(out, z)
		}
	}
	return out
}

// zipSafe keeps a case code usable as a folder name in any unzip tool.
func zipSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, s)
	if s == "" || s == "." || s == ".." {
		return "kasus"
	}
	return s
}

// splitParts groups the found photos into parts of at most zipPartLimit
// bytes, the last one with room for MISSING.txt. A photo bigger than a part
// goes alone (Telegram's photos are far smaller than a part).
func splitParts(photos []zipPhoto) [][]zipPhoto {
	var parts [][]zipPhoto
	var cur []zipPhoto
	var size int64
	reserve := int64(1024 + missingLineBudget*len(photos))
	for _, p := range photos {
		if p.path == "" {
			continue
		}
		n := p.size + zipEntryOverhead + 2*int64(len(p.name))
		if len(cur) > 0 && size+n+reserve > zipPartLimit {
			parts, cur, size = append(parts, cur), nil, 0
		}
		cur, size = append(cur, p), size+n
	}
	return append(parts, cur) // the last part holds MISSING.txt, even alone
}

// writeZip writes one part: its photos, stored (JPEG does not compress), and
// when missing is not empty, MISSING.txt. A photo that cannot be read now is
// reported through gone and left out.
func (a *App) writeZip(c *Ctx, photos []zipPhoto, missing *[]string, last bool) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	now := c.Tx.Now()
	for _, p := range photos {
		f, err := os.Open(p.path)
		if err != nil {
			*missing = append(*missing, p.name+": "+c.T("exp.zip.why.gone"))
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Store, Modified: now})
		if err == nil {
			_, err = io.Copy(w, f)
		}
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("export photos: %s: %w", p.name, err)
		}
	}
	if last && len(*missing) > 0 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "MISSING.txt", Method: zip.Deflate, Modified: now})
		if err != nil {
			return nil, fmt.Errorf("export photos: %w", err)
		}
		text := c.T("exp.zip.missing") + "\r\n\r\n" + strings.Join(*missing, "\r\n") + "\r\n"
		if _, err := io.WriteString(w, text); err != nil {
			return nil, fmt.Errorf("export photos: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("export photos: %w", err)
	}
	return buf.Bytes(), nil
}

// sendPhotoZip sends the photos of rows as one ZIP or several parts, named
// after the export's files, and audits it.
func (a *App) sendPhotoZip(c *Ctx, name string, rows []store.ExportRow, area []string) error {
	photos := a.planPhotos(rows)
	if len(photos) == 0 {
		return c.Reply(c.T("exp.zip.none"))
	}
	var missing []string
	var total int64
	for _, p := range photos {
		if p.path == "" {
			missing = append(missing, p.name+": "+c.T(p.why))
		}
		total += p.size
	}
	parts := splitParts(photos)
	audit := func(detail string) error {
		return c.Tx.Audit(c.User.ID, "export_photos", fmt.Sprintf("photos=%d missing=%d bytes=%d %s kecamatan=%s",
			len(photos), len(missing), total, detail, strings.Join(area, ",")))
	}
	if len(parts) > maxZipParts {
		if err := audit("refused=too_big"); err != nil {
			return err
		}
		return c.Reply(c.T("exp.zip.too_big", "mb", strconv.FormatInt((total+(1<<20)-1)>>20, 10),
			"max", itoa(maxZipParts*int(zipPartLimit>>20))))
	}
	if err := audit("parts=" + itoa(len(parts))); err != nil {
		return err
	}
	for i, part := range parts {
		last := i == len(parts)-1
		file, err := a.writeZip(c, part, &missing, last)
		if err != nil {
			return err
		}
		fileName, caption := name+"-foto.zip", c.T("exp.zip.caption", "n", itoa(len(photos)-len(missing)))
		if last && len(missing) > 0 {
			caption += "\n" + c.T("exp.zip.absent", "n", itoa(len(missing)))
		}
		if len(parts) > 1 {
			fileName = fmt.Sprintf("%s-foto-%d.zip", name, i+1)
			caption += "\n" + c.T("exp.zip.part", "i", itoa(i+1), "n", itoa(len(parts)))
		}
		if _, err := c.Send(store.Message{Kind: store.KindDocument, FileName: fileName, File: file,
			Text: caption}); err != nil {
			return err
		}
	}
	return nil
}
