package flows_test

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"dinsosbot/flows"
)

// artefactsDir keeps what the daftar hadir tests print (XLSX, PDF, a PNG a
// page) for a person to look at: go test ./flows -run 'Rakor|DaftarHadir'
// -artefacts /tmp/daftar-hadir. Without it they go to the test's temporary
// folder, removed afterwards.
var artefactsDir = flag.String("artefacts", "", "folder to keep the daftar hadir's XLSX, PDF and page PNGs in")

// artefacts is the folder for t's printed files.
func artefacts(t *testing.T) string {
	t.Helper()
	if *artefactsDir == "" {
		return t.TempDir()
	}
	dir := filepath.Join(*artefactsDir, strings.ReplaceAll(t.Name(), "/", "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("artefacts in %s", dir)
	return dir
}

// officeConfig is a Dinas's kop surat and signatory, as main passes them
// from config.yaml. The address and the people are examples.
func officeConfig(c *flows.Config) {
	c.OfficeAddress = "Jl. Contoh No. 1, Telanaipura, Kota Jambi 36122 · Telp. (0741) 000000"
	c.OfficeLogo = exampleLogo()
	c.Signatory = flows.Signatory{Name: "Drs. H. Contoh Nama, M.Si", NIP: "19700101 199503 1 001"}
}

// exampleLogo is a plain round emblem standing in for an office's logo.
func exampleLogo() []byte {
	const size = 160
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	c := float64(size-1) / 2
	for y := range size {
		for x := range size {
			d := (float64(x)-c)*(float64(x)-c) + (float64(y)-c)*(float64(y)-c)
			switch {
			case d <= 40*40:
				img.Set(x, y, color.RGBA{0xE8, 0xB0, 0x20, 0xFF})
			case d <= 58*58:
				img.Set(x, y, color.RGBA{0x1F, 0x4E, 0x9A, 0xFF})
			case d <= 64*64:
				img.Set(x, y, color.RGBA{0xE8, 0xB0, 0x20, 0xFF})
			case d <= 78*78:
				img.Set(x, y, color.RGBA{0x1F, 0x4E, 0x9A, 0xFF})
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// printedSheet is a daftar hadir as LibreOffice prints it.
type printedSheet struct {
	pdf   string   // the PDF's path
	size  string   // pdfinfo's page size, like "595.276 x 841.89 pts (A4)"
	pages []string // each page's text
	pngs  []string // each page as a PNG
}

// printSheet converts xlsx to PDF with LibreOffice, as an office's computer
// would print it, and renders its pages as PNG, all into dir as name.*. It
// skips the test when LibreOffice is not installed here (CI installs it: see
// .ci/run).
func printSheet(t *testing.T, xlsx []byte, dir, name string) printedSheet {
	t.Helper()
	office, err := exec.LookPath("libreoffice")
	if err != nil {
		t.Skip("libreoffice is not installed (apt-get install libreoffice-calc poppler-utils); the sheet's PDF is not checked")
	}
	src := filepath.Join(dir, name+".xlsx")
	if err := os.WriteFile(src, xlsx, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	run := func(name string, args ...string) string {
		t.Helper()
		out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %q: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	// Its own profile: LibreOffice refuses to share one with another
	// running instance (another test, a person's desktop).
	profile := "file://" + filepath.ToSlash(filepath.Join(t.TempDir(), "lo-profile"))
	run(office, "-env:UserInstallation="+profile, "--headless", "--convert-to", "pdf", "--outdir", dir, src)
	p := printedSheet{pdf: filepath.Join(dir, name+".pdf")}
	info := run("pdfinfo", p.pdf)
	n := 0
	if m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(info); m != nil {
		n, _ = strconv.Atoi(m[1])
	}
	if m := regexp.MustCompile(`(?m)^Page size:\s+(.+)$`).FindStringSubmatch(info); m != nil {
		p.size = strings.TrimSpace(m[1])
	}
	for i := 1; i <= n; i++ {
		page := strconv.Itoa(i)
		p.pages = append(p.pages, run("pdftotext", "-layout", "-f", page, "-l", page, p.pdf, "-"))
	}
	run("pdftoppm", "-png", "-r", "80", p.pdf, filepath.Join(dir, name))
	pngs, err := filepath.Glob(filepath.Join(dir, name+"-*.png"))
	if err != nil {
		t.Fatal(err)
	}
	p.pngs = pngs
	return p
}
