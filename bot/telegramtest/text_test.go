package telegramtest

import (
	"reflect"
	"testing"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		name, mode, src string
		text            string
		ents            []entity
		err             string
	}{
		{"plain", "", "a <b> c", "a <b> c", nil, ""},
		{"HTML nested", "HTML", "<b>a <i>b</i></b> c", "a b c",
			[]entity{{Type: "italic", Offset: 2, Length: 1}, {Type: "bold", Offset: 0, Length: 3}}, ""},
		{"HTML offsets in UTF-16", "HTML", "😀 <u>x</u>", "😀 x", []entity{{Type: "underline", Offset: 3, Length: 1}}, ""},
		{"HTML link and pre language", "HTML", `<a href="https://x.org/?a=1&amp;b=2">l</a><pre><code class="language-go">f()</code></pre>`, "lf()",
			[]entity{{Type: "text_link", Offset: 0, Length: 1, URL: "https://x.org/?a=1&b=2"}, {Type: "code", Offset: 1, Length: 3}, {Type: "pre", Offset: 1, Length: 3, Language: "go"}}, ""},
		{"HTML entities", "html", "&lt;&gt;&amp;&quot;&#65;&#x42;&nbsp;", `<>&"AB&nbsp;`, nil, ""},
		{"HTML tag case", "HTML", "<B>x</B>", "x", []entity{{Type: "bold", Offset: 0, Length: 1}}, ""},
		{"HTML bad attribute", "HTML", `<a href=>x</a>`, "x", nil, ""},
		{"MarkdownV2", "MarkdownV2", `*tebal* _miring_ __garis__ ~coret~ ||rahasia|| \. \!`, "tebal miring garis coret rahasia . !",
			[]entity{{Type: "bold", Offset: 0, Length: 5}, {Type: "italic", Offset: 6, Length: 6}, {Type: "underline", Offset: 13, Length: 5},
				{Type: "strikethrough", Offset: 19, Length: 5}, {Type: "spoiler", Offset: 25, Length: 7}}, ""},
		{"MarkdownV2 link and code", "MarkdownV2", "[situs](https://x.org/a\\)b) `a.b` ```go\nx := 1.5\n```", "situs a.b x := 1.5\n",
			[]entity{{Type: "text_link", Offset: 0, Length: 5, URL: "https://x.org/a)b"}, {Type: "code", Offset: 6, Length: 3}, {Type: "pre", Offset: 10, Length: 9, Language: "go"}}, ""},
		{"MarkdownV2 quote", "MarkdownV2", ">kutipan\n>lanjut\nbiasa", "kutipan\nlanjut\nbiasa", []entity{{Type: "blockquote", Offset: 0, Length: 14}}, ""},
		{"MarkdownV2 unescaped dot", "MarkdownV2", "Terima kasih.", "", nil, `Character '.' is reserved and must be escaped with the preceding '\'`},
		{"MarkdownV2 unclosed bold", "MarkdownV2", "a *b", "", nil, "Can't find end of Bold entity at byte offset 2"},
		{"Markdown legacy", "Markdown", "*b* _i_ `c` [l](https://x.org) 1.5", "b i c l 1.5",
			[]entity{{Type: "bold", Offset: 0, Length: 1}, {Type: "italic", Offset: 2, Length: 1}, {Type: "code", Offset: 4, Length: 1}, {Type: "text_link", Offset: 6, Length: 1, URL: "https://x.org"}}, ""},
		{"Markdown legacy unclosed", "Markdown", "snake_case", "", nil, "Can't find end of the entity starting at byte offset 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, aerr := format(tt.src, tt.mode, "")
			if tt.err != "" {
				if aerr == nil || aerr.Description != "Bad Request: can't parse entities: "+tt.err {
					t.Fatalf("got %v, want error %q", aerr, tt.err)
				}
				return
			}
			if aerr != nil {
				t.Fatal(aerr)
			}
			if f.text != tt.text || !reflect.DeepEqual(f.entities, tt.ents) {
				t.Errorf("got %q %+v\nwant %q %+v", f.text, f.entities, tt.text, tt.ents)
			}
		})
	}
}
