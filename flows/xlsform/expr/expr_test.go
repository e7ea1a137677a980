package expr

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// testEnv answers from maps; the clock is fixed in WIB.
type testEnv struct {
	vals    map[string]Val
	current Val
	cols    map[string]Val
	labels  map[string]string // "question/value" -> label
}

func (e testEnv) Value(name string) Val { return e.vals[name] }
func (e testEnv) Current() Val          { return e.current }
func (e testEnv) Column(name string) Val {
	return e.cols[name]
}
func (e testEnv) Now() time.Time {
	return time.Date(2026, 12, 4, 9, 30, 0, 0, time.FixedZone("WIB", 7*3600))
}
func (e testEnv) ChoiceLabel(name, value string) (string, bool) {
	l, ok := e.labels[name+"/"+value]
	return l, ok
}

func fixedEnv() testEnv {
	return testEnv{
		vals: map[string]Val{
			"age":     Num(34),
			"name":    Str("Siti Aminah"),
			"empty":   Nothing(),
			"blank":   Str(""),
			"did":     ListOf([]string{"kunjungan_rumah", "rujukan"}),
			"visit":   Str("2026-12-01"),
			"cond":    Str("baik"),
			"numtext": Str("12.5"),
		},
		current: Str("0812345"),
		cols:    map[string]Val{"kec": Str("1571010"), "name": Str("k1")},
		labels:  map[string]string{"cond/baik": "Baik", "did/rujukan": "Rujukan"},
	}
}

func TestEval(t *testing.T) {
	tests := []struct {
		src  string
		want string // AsString of the result
	}{
		{"1 + 2 * 3", "7"},
		{"(1 + 2) * 3", "9"},
		{"7 div 2", "3.5"},
		{"7 mod 3", "1"},
		{"1 div 0", "Infinity"},
		{"-${age} + 4", "-30"},
		{"${age} >= 18 and ${age} < 60", "true"},
		{"true() and not(false())", "true"},
		{"if(${age} > 60, true(), false())", "false"},
		{"${age} = 34", "true"},
		{"${age} != 34", "false"},
		{"${empty} = ''", "true"},
		{"${blank} = ''", "true"},
		{"${empty} != ''", "false"},
		{"${empty} = 0", "false"},
		{"${empty} > 0", "false"},
		{"${empty} < 0", "false"},
		{"${numtext} > 12", "true"},
		{"${name} = 'Siti Aminah'", "true"},
		{"${visit} <= today()", "true"},
		{"${visit} > today()", "false"},
		{"'2026-12-04' = today()", "true"},
		{"today()", "2026-12-04"},
		// Dates read as days since 1970 in arithmetic, as ODK reads them:
		// the usual age formula gives years, not NaN.
		{"today() - ${visit}", "3"},
		{"int((today() - '1990-06-15') div 365.25)", "36"},
		{"number('1970-01-02')", "1"},
		{"number('1970-01-01T18:00:00.000+07:00')", "0.75"},
		{"${visit} + 1 > today()", "false"},
		{"number('2026-13-01')", "NaN"},
		{"number('2026-12-01x')", "NaN"},
		{"now() > today()", "true"},
		// No-break and zero-width spaces pasted from elsewhere separate tokens.
		{"${age}\u00a0>\u00a030\u00a0and\u00a0${age} < 40", "true"},
		{"\u200b${age}\u2003+ 1", "35"},
		{"concat('a\u00a0b')", "a\u00a0b"},
		{"now()", "2026-12-04T09:30:00.000+07:00"},
		{"not(${age} > 40)", "true"},
		{"selected(${did}, 'rujukan')", "true"},
		{"selected(${did}, 'konseling')", "false"},
		{"selected('a b c', 'b')", "true"},
		{"count-selected(${did})", "2"},
		{"count-selected(${empty})", "0"},
		{"string-length(${name})", "11"},
		{"string-length('ñandú')", "5"},
		{"string-length()", "7"},
		{"regex(., '^08[0-9]+$')", "true"},
		{"regex(${name}, '^[0-9]+$')", "false"},
		{"if(${age} > 17, 'dewasa', 'anak')", "dewasa"},
		{"coalesce(${empty}, 'x')", "x"},
		{"coalesce(${name}, 'x')", "Siti Aminah"},
		{"concat(${name}, ' (', ${age}, ')')", "Siti Aminah (34)"},
		{"concat()", ""},
		{"int(-3.7)", "-3"},
		{"int('x')", "NaN"},
		{"number('')", "NaN"},
		{"number(' 4.5 ')", "4.5"},
		{"number('1e3')", "NaN"},
		{"round(2.5)", "3"},
		{"round(-2.5)", "-3"},
		{"round(3.14159, 2)", "3.14"},
		{"jr:choice-name(${cond}, '${cond}')", "Baik"},
		{"jr:choice-name('nope', '${cond}')", ""},
		{"kec = '1571010'", "true"},
		{"${empty} or 1 = 1", "true"},
		{"\"double\"", "double"},
		{".5 + .5", "1"},
		{"${age}-4", "30"},
	}
	env := fixedEnv()
	for _, tc := range tests {
		e, err := Parse(tc.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.src, err)
			continue
		}
		v, err := Eval(e, env)
		if err != nil {
			t.Errorf("Eval(%q): %v", tc.src, err)
			continue
		}
		if got := v.AsString(); got != tc.want {
			t.Errorf("Eval(%q) = %q, want %q", tc.src, got, tc.want)
		}
	}
}

// and/or must not evaluate the side that cannot change the result: a
// failing right side (here a string too large) is never reached.
func TestShortCircuit(t *testing.T) {
	big := strings.Repeat("x", MaxString)
	env := fixedEnv()
	env.vals["big"] = Str(big)
	for src, reach := range map[string]bool{
		"1 = 2 and concat(${big}, ${big}) = ''":  false,
		"1 = 1 or concat(${big}, ${big}) = ''":   false,
		"if(1 = 1, 'a', concat(${big}, ${big}))": false,
		"coalesce('a', concat(${big}, ${big}))":  false,
		"1 = 1 and concat(${big}, ${big}) = ''":  true, // the control: reached, so it fails
	} {
		e, err := Parse(src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		_, err = Eval(e, env)
		if reached := errors.Is(err, ErrTooLarge); reached != reach {
			t.Errorf("Eval(%q): err %v, want the right side reached: %v", src, err, reach)
		}
	}
}

func TestRefsAndColumns(t *testing.T) {
	e, err := Parse("${b} + ${a} > ${b} and kec = ${kec} and jr:choice-name(${x}, '${y}') != ''")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(e.Refs(), ","); got != "a,b,kec,x,y" {
		t.Errorf("Refs = %s", got)
	}
	if got := strings.Join(e.Columns(), ","); got != "kec" {
		t.Errorf("Columns = %s", got)
	}
	if got := strings.Join(e.Functions(), ","); got != "jr:choice-name" {
		t.Errorf("Functions = %s", got)
	}
}

func TestParseRefused(t *testing.T) {
	tests := []struct {
		src  string
		code Code
		fn   string
	}{
		{"", ErrEmpty, ""},
		{"   ", ErrEmpty, ""},
		{strings.Repeat("1+", MaxSource), ErrTooLong, ""},
		{strings.Repeat("(", 100) + "1" + strings.Repeat(")", 100), ErrTooDeep, ""},
		{strings.Repeat("not(", 100) + "1" + strings.Repeat(")", 100), ErrTooDeep, ""},
		{"pulldata('x', 'y', 'z', ${a})", ErrFunction, "pulldata"},
		{"instance('list')/root/item[name = ${a}]/label", ErrFunction, "instance"},
		{"position(..)", ErrPath, ""},
		{"sum(${a})", ErrFunction, "sum"},
		{"format-date(${a}, '%Y')", ErrFunction, "format-date"},
		{"not(1, 2)", ErrArity, "not"},
		{"today(1)", ErrArity, "today"},
		{"regex(${a}, ${b})", ErrRegex, "regex"},
		{"regex(${a}, '(?<=x)')", ErrRegex, "regex"},
		{"jr:choice-name(${a}, ${a})", ErrChoice, "jr:choice-name"},
		{"/data/age > 3", ErrPath, ""},
		{"../age", ErrPath, ""},
		{"${a} >", ErrSyntax, ""},
		{"${a} 3", ErrSyntax, ""},
		{"(1", ErrSyntax, ""},
		{"'unclosed", ErrSyntax, ""},
		{"${unclosed", ErrSyntax, ""},
		{"${1bad}", ErrSyntax, ""},
		{"1 ! 2", ErrSyntax, ""},
		{"1 | 2", ErrSyntax, ""},
		{"a[1]", ErrPath, ""},
		{"1.2.3", ErrSyntax, ""},
		// A division written as in a spreadsheet, told apart from a path.
		{"${a} / 2", ErrSlash, ""},
		{"(${a} + 1)/${b}", ErrSlash, ""},
		{". / 2", ErrSlash, ""},
		{"1 + /data/a", ErrPath, ""},
		{"${a} = \u201818\u2019", ErrQuote, ""},
		{"selected(${a}, \u201cya\u201d)", ErrQuote, ""},
	}
	for _, tc := range tests {
		_, err := Parse(tc.src)
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%.30q) = %v, want code %s", tc.src, err, tc.code)
			continue
		}
		if pe.Code != tc.code || pe.Func != tc.fn {
			t.Errorf("Parse(%.30q) = %s %q, want %s %q", tc.src, pe.Code, pe.Func, tc.code, tc.fn)
		}
	}
}

func TestValidName(t *testing.T) {
	for s, want := range map[string]bool{
		"age": true, "_x": true, "tgl_kunjungan": true, "a.b-c1": true, "umur_ñ": true,
		"": false, "1a": false, "a b": false, "a:b": false, "-a": false, "a$": false,
	} {
		if got := ValidName(s); got != want {
			t.Errorf("ValidName(%q) = %v", s, got)
		}
	}
}

func TestNumberFormatting(t *testing.T) {
	if s := Num(math.NaN()).AsString(); s != "NaN" {
		t.Errorf("NaN = %q", s)
	}
	if s := Num(3).AsString(); s != "3" {
		t.Errorf("3 = %q", s)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"${a} + 1", "selected(${x}, 'y') and not(.)", "regex(., '[a-z]+')",
		"jr:choice-name(${a}, '${a}')", "((((1))))", "concat('a', \"b\")", "-.5 mod 2", "kec = ${k}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error %T is not *Error", err)
			}
			return
		}
		_ = e.Refs()
		_ = e.String()
	})
}

func FuzzEval(f *testing.F) {
	for _, s := range []string{"${age} + 1", "selected(${did}, 'rujukan') and not(.)", "regex(${name}, '[a-z]+')",
		"jr:choice-name(${cond}, '${cond}')", "round(${numtext}, 1e300)", "concat(${name}, ${name})",
		"if(${empty}, 1, 2) div 0", "int(${did}) mod 0", "${visit} < today()", "kec != name"} {
		f.Add(s)
	}
	env := fixedEnv()
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			return
		}
		v, err := Eval(e, env)
		if err != nil {
			return
		}
		if len(v.AsString()) > MaxString+32 {
			t.Fatalf("result of %d bytes", len(v.AsString()))
		}
	})
}
