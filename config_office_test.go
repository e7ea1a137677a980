package main

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The kop surat's address and logo and the signatory reach the flows; a
// missing or wrong logo file, or a mistyped NIP, stops the start naming the
// key.
func TestLoadConfigOffice(t *testing.T) {
	dir := t.TempDir()
	var logo bytes.Buffer
	if err := png.Encode(&logo, image.NewRGBA(image.Rect(0, 0, 40, 50))); err != nil {
		t.Fatal(err)
	}
	logoPath, textPath := filepath.Join(dir, "logo.png"), filepath.Join(dir, "logo.txt")
	for path, data := range map[string][]byte{logoPath: logo.Bytes(), textPath: []byte("not a picture")} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := LoadConfig(writeConfig(t, "office_address: \"Jl. Jend. Basuki Rahmat No. 1\"\noffice_logo_file: "+logoPath+
		"\nsignatory:\n  name: \"Drs. H. Contoh, M.Si\"\n  nip: \"19700101 199503 1 001\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	fc := cfg.flows("bot")
	if fc.OfficeAddress != "Jl. Jend. Basuki Rahmat No. 1" || !bytes.Equal(fc.OfficeLogo, logo.Bytes()) ||
		fc.Signatory.Name != "Drs. H. Contoh, M.Si" || fc.Signatory.NIP != "19700101 199503 1 001" || fc.Signatory.Title != "" {
		t.Errorf("flows config: address %q, logo %d bytes, signatory %+v", fc.OfficeAddress, len(fc.OfficeLogo), fc.Signatory)
	}
	for _, tc := range []struct{ name, body, want string }{
		{"missing logo", "office_logo_file: " + filepath.Join(dir, "nope.png") + "\n", "office_logo_file: open"},
		{"logo not a picture", "office_logo_file: " + textPath + "\n", "office_logo_file " + textPath + ": not a PNG or JPEG"},
		{"short nip", "signatory:\n  nip: \"1970010119950310\"\n", "signatory.nip: \"1970010119950310\" is not a NIP"},
		{"nip with letters", "signatory:\n  nip: \"19700101 199503 1 00A\"\n", "signatory.nip"},
		{"unknown signatory key", "signatory:\n  jabatan: Kepala\n", "unknown key \"jabatan\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(writeConfig(t, tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadConfig error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
