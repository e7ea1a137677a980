package xlsform_test

import (
	"testing"

	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows/xlsform"
)

func TestMarkup(t *testing.T) {
	tests := []struct {
		in, html, plain string
	}{
		{"Nama lengkap", "Nama lengkap", "Nama lengkap"},
		{"**Penting:** isi <5 tahun & lebih", "<b>Penting:</b> isi &lt;5 tahun &amp; lebih", "Penting: isi <5 tahun & lebih"},
		{"Tulis *nama* dan __alamat__", "Tulis <i>nama</i> dan <b>alamat</b>", "Tulis nama dan alamat"},
		{"_catatan_, lalu _lain_.", "<i>catatan</i>, lalu <i>lain</i>.", "catatan, lalu lain."},
		{"kolom nama_anak dan 2*3*4", "kolom nama_anak dan 2*3*4", "kolom nama_anak dan 2*3*4"},
		{"# Bagian A\nIsi", "<b>Bagian A</b>\nIsi", "Bagian A\nIsi"},
		{`<span style="color:red">Awas</span><br>baris`, "Awas\nbaris", "Awas\nbaris"},
		{"Lihat [panduan](https://example.org/p?a=1&b=2)", `Lihat <a href="https://example.org/p?a=1&amp;b=2">panduan</a>`,
			"Lihat panduan (https://example.org/p?a=1&b=2)"},
		{"**tebal *miring** salah*", "**tebal *miring** salah*", "**tebal *miring** salah*"},
		{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"},
	}
	for _, tc := range tests {
		if got := xlsform.HTML(tc.in); got != tc.html {
			t.Errorf("HTML(%q) = %q, want %q", tc.in, got, tc.html)
		}
		if got := xlsform.Plain(tc.in); got != tc.plain {
			t.Errorf("Plain(%q) = %q, want %q", tc.in, got, tc.plain)
		}
	}
}

// FuzzMarkup: whatever an author writes, HTML gives tags that nest and
// nothing unescaped outside them.
func FuzzMarkup(f *testing.F) {
	for _, s := range []string{"**a** *b* _c_ __d__", "# h\n[x](https://a.b)", "<span>x</span><br/>", "*a **b* c**", "<<b>>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := xlsform.HTML(s)
		if err := telegramtest.CheckHTML(out); err != nil {
			t.Fatalf("HTML(%q) = %q: %v", s, out, err)
		}
	})
}
