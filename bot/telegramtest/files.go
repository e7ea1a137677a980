package telegramtest

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"mime"
	"net/http"
	"path"
	"strings"
)

// storedFile is a file kept by the server, whoever uploaded it.
type storedFile struct {
	id, uniqueID  string
	path          string // file_path for getFile and downloads
	kind          string // "photo", "document" or "voice"
	name, mime    string
	data          []byte
	width, height int
	duration      int // seconds, of a voice note
	// sizes is the whole PhotoSize array a photo file_id belongs to, so a
	// re-send by file_id reproduces it.
	sizes []*storedFile
}

type wireFile struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileSize     int    `json:"file_size"`
	FilePath     string `json:"file_path"`
}

func (s *Server) storeFileLocked(kind, name, mimeType string, data []byte) *storedFile {
	s.nextFile++
	n := s.nextFile
	ext := path.Ext(name)
	dir := "documents"
	switch kind {
	case "photo":
		dir = "photos"
		if ext == "" {
			ext = ".jpg"
		}
	case "voice":
		// Telegram keeps voice notes as Opus in Ogg under voice/file_N.oga.
		dir = "voice"
		if ext == "" {
			ext = ".oga"
		}
	}
	f := &storedFile{
		// Real file_ids are long opaque strings; these are at least unique
		// and never numeric, so code that parses them breaks here too.
		id:       fmt.Sprintf("%s-FILE-%06d-%x", strings.ToUpper(kind[:3]), n, n*2654435761),
		uniqueID: fmt.Sprintf("U%06d", n),
		path:     fmt.Sprintf("%s/file_%d%s", dir, n, ext),
		kind:     kind, name: name, mime: mimeType, data: append([]byte(nil), data...),
	}
	if f.mime == "" {
		f.mime = mime.TypeByExtension(ext)
	}
	s.files[f.id] = f
	s.filesByPath[f.path] = f
	return f
}

// storePhotoLocked stores a photo the way Telegram does: several sizes, each
// with its own file_id, smallest first. The thumbnail is a real downscale
// when the bytes decode as JPEG.
func (s *Server) storePhotoLocked(data []byte) []*storedFile {
	w, h := 1280, 960
	thumb := data
	if img, err := jpeg.Decode(bytes.NewReader(data)); err == nil {
		b := img.Bounds()
		w, h = b.Dx(), b.Dy()
		var buf bytes.Buffer
		if jpeg.Encode(&buf, downscale(img, 90), nil) == nil {
			thumb = buf.Bytes()
		}
	}
	tw, th := fit(w, h, 90)
	small := s.storeFileLocked("photo", "", "image/jpeg", thumb)
	small.width, small.height = tw, th
	large := s.storeFileLocked("photo", "", "image/jpeg", data)
	large.width, large.height = w, h
	sizes := []*storedFile{small, large}
	small.sizes, large.sizes = sizes, sizes
	return sizes
}

func fit(w, h, box int) (int, int) {
	if w <= box && h <= box {
		return w, h
	}
	if w >= h {
		return box, max(1, h*box/w)
	}
	return max(1, w*box/h), box
}

// downscale is nearest-neighbour: the thumbnail only needs to exist and be
// smaller, not look good.
func downscale(src image.Image, box int) image.Image {
	b := src.Bounds()
	w, h := fit(b.Dx(), b.Dy(), box)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			dst.Set(x, y, src.At(b.Min.X+x*b.Dx()/w, b.Min.Y+y*b.Dy()/h))
		}
	}
	return dst
}

// fileRefLocked resolves a file given by file_id when the bot re-sends a file.
func (s *Server) fileRefLocked(ref, want string) (*storedFile, *apiError) {
	f := s.files[ref]
	if f == nil {
		// Fetching HTTP URLs is not simulated: the fake has no internet either.
		return nil, badRequest("wrong file identifier/HTTP URL specified")
	}
	if f.kind != want {
		return nil, badRequest("can't use file of type %s as %s", titleCase(f.kind), titleCase(want))
	}
	return f, nil
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (s *Server) getFile(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[c.p.str("file_id")]
	if f == nil {
		return nil, badRequest("invalid file_id")
	}
	return wireFile{FileID: f.id, FileUniqueID: f.uniqueID, FileSize: len(f.data), FilePath: f.path}, nil
}

// serveFile answers /file/bot<token>/<file_path>.
func (s *Server) serveFile(w http.ResponseWriter, rest string) {
	token, filePath, _ := strings.Cut(rest, "/")
	if token != s.opts.Token {
		writeError(w, errUnauthorized)
		return
	}
	s.mu.Lock()
	f := s.filesByPath[filePath]
	s.mu.Unlock()
	if f == nil {
		writeError(w, errNotFound)
		return
	}
	ct := f.mime
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", fmt.Sprint(len(f.data)))
	_, _ = w.Write(f.data)
}
