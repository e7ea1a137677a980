package expr

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxString bounds a string an evaluation builds (concat of long answers,
// calculations feeding each other), so no form can grow memory without end.
const MaxString = 64 << 10

// ErrTooLarge is returned when an evaluation would build a string over
// MaxString bytes.
var ErrTooLarge = errors.New("expr: result too large")

// Str, Num, Boolean, ListOf and Nothing build values for an Env.
func Str(s string) Val          { return Val{Kind: String, Str: s} }
func Num(f float64) Val         { return Val{Kind: Number, Num: f} }
func Boolean(b bool) Val        { return Val{Kind: Bool, Bool: b} }
func ListOf(names []string) Val { return Val{Kind: List, List: names} }
func Nothing() Val              { return Val{} }

// IsEmpty reports whether v is unanswered or the empty string, which XPath
// treats alike.
func (v Val) IsEmpty() bool {
	switch v.Kind {
	case Empty:
		return true
	case String:
		return v.Str == ""
	case List:
		return len(v.List) == 0
	}
	return false
}

// AsString is XPath's string(): numbers without a needless ".0", booleans
// as true/false, a list as its names separated by spaces.
func (v Val) AsString() string {
	switch v.Kind {
	case String:
		return v.Str
	case Number:
		return formatNum(v.Num)
	case Bool:
		if v.Bool {
			return "true"
		}
		return "false"
	case List:
		return strings.Join(v.List, " ")
	}
	return ""
}

func formatNum(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// AsNumber is XPath's number(): NaN for "" and for text that is no number.
// A date (2026-12-04) or dateTime reads as days since 1970-01-01 (a
// dateTime's time of day as the fraction, on its own clock), as ODK reads
// them, so today() - ${tgl_lahir} is an age in days.
func (v Val) AsNumber() float64 {
	switch v.Kind {
	case Number:
		return v.Num
	case Bool:
		if v.Bool {
			return 1
		}
		return 0
	case String, List:
		s := strings.TrimSpace(v.AsString())
		if s == "" || strings.ContainsAny(s, "eExXnN_") { // no exponents, hex, Inf, NaN as input
			return math.NaN()
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			if d, ok := dateDays(s); ok {
				return d
			}
			return math.NaN()
		}
		return f
	}
	return math.NaN()
}

// dateDays reads an ISO date, or a dateTime as now() writes it (seconds,
// fraction and offset optional), as days since 1970-01-01.
func dateDays(s string) (float64, bool) {
	if len(s) < 10 {
		return 0, false
	}
	d, err := time.Parse(time.DateOnly, s[:10])
	if err != nil {
		return 0, false
	}
	days := float64(d.Unix() / 86400)
	if len(s) == 10 {
		return days, true
	}
	if s[10] != 'T' {
		return 0, false
	}
	clock := s[11:]
	if i := strings.IndexAny(clock, "Z+-"); i >= 0 {
		clock = clock[:i] // the wall clock, as a date has no zone either
	}
	for _, layout := range []string{"15:04:05.999999999", "15:04"} {
		if t, err := time.Parse(layout, clock); err == nil {
			secs := t.Hour()*3600 + t.Minute()*60 + t.Second()
			return days + (float64(secs)+float64(t.Nanosecond())/1e9)/86400, true
		}
	}
	return 0, false
}

// AsBool is XPath's boolean(): false for empty, 0 and NaN.
func (v Val) AsBool() bool {
	switch v.Kind {
	case Bool:
		return v.Bool
	case Number:
		return v.Num != 0 && !math.IsNaN(v.Num)
	}
	return !v.IsEmpty()
}

// names is a select_multiple's value as its chosen names.
func (v Val) names() []string {
	if v.Kind == List {
		return v.List
	}
	return strings.Fields(v.AsString())
}

// Eval evaluates e against env. It never panics; a result over MaxString and
// an Env that cannot answer end in an error.
func Eval(e *Expr, env Env) (v Val, err error) {
	if e == nil || e.root == nil {
		return Val{}, errors.New("expr: nil expression")
	}
	if env == nil {
		return Val{}, errors.New("expr: nil environment")
	}
	return eval(e.root, env)
}

// Truth evaluates e as a condition (relevant, constraint, choice_filter).
func Truth(e *Expr, env Env) (bool, error) {
	v, err := Eval(e, env)
	if err != nil {
		return false, err
	}
	return v.AsBool(), nil
}

func eval(n *node, env Env) (Val, error) {
	switch n.kind {
	case nLit:
		return n.val, nil
	case nRef:
		return env.Value(n.name), nil
	case nCurrent:
		return env.Current(), nil
	case nColumn:
		return env.Column(n.name), nil
	case nNeg:
		a, err := eval(n.args[0], env)
		if err != nil {
			return Val{}, err
		}
		return Num(-a.AsNumber()), nil
	case nBinary:
		return binary(n, env)
	case nCall:
		return call(n, env)
	}
	return Val{}, errors.New("expr: unknown node")
}

func binary(n *node, env Env) (Val, error) {
	a, err := eval(n.args[0], env)
	if err != nil {
		return Val{}, err
	}
	switch n.op { // and/or stop at the left side when it decides
	case "and":
		if !a.AsBool() {
			return Boolean(false), nil
		}
		b, err := eval(n.args[1], env)
		return Boolean(err == nil && b.AsBool()), err
	case "or":
		if a.AsBool() {
			return Boolean(true), nil
		}
		b, err := eval(n.args[1], env)
		return Boolean(err == nil && b.AsBool()), err
	}
	b, err := eval(n.args[1], env)
	if err != nil {
		return Val{}, err
	}
	switch n.op {
	case "+":
		return Num(a.AsNumber() + b.AsNumber()), nil
	case "-":
		return Num(a.AsNumber() - b.AsNumber()), nil
	case "*":
		return Num(a.AsNumber() * b.AsNumber()), nil
	case "div":
		return Num(a.AsNumber() / b.AsNumber()), nil // x/0 is ±Infinity or NaN, as XPath
	case "mod":
		return Num(math.Mod(a.AsNumber(), b.AsNumber())), nil
	case "=":
		return Boolean(equal(a, b)), nil
	case "!=":
		return Boolean(!equal(a, b)), nil
	case "<", "<=", ">", ">=":
		return Boolean(relational(n.op, a, b)), nil
	}
	return Val{}, errors.New("expr: unknown operator " + n.op)
}

// equal is XPath's =: booleans compare as booleans, then numbers as numbers
// (an empty answer equals no number), else strings (empty equals "").
func equal(a, b Val) bool {
	switch {
	case a.Kind == Bool || b.Kind == Bool:
		return a.AsBool() == b.AsBool()
	case a.Kind == Number || b.Kind == Number:
		if a.Kind == Number && b.Kind == Number {
			return a.Num == b.Num
		}
		x, y := a.AsNumber(), b.AsNumber()
		return x == y // NaN (empty, text) equals nothing
	}
	return a.AsString() == b.AsString()
}

// relational compares as numbers when both sides read as numbers, and as
// strings otherwise, so ISO dates and times ("2026-12-04" < today())
// compare in calendar order. An empty side makes every comparison false.
func relational(op string, a, b Val) bool {
	if a.IsEmpty() || b.IsEmpty() {
		return false
	}
	x, y := a.AsNumber(), b.AsNumber()
	var c int
	switch {
	case !math.IsNaN(x) && !math.IsNaN(y):
		c = cmpFloat(x, y)
	case a.Kind == Number || b.Kind == Number || a.Kind == Bool || b.Kind == Bool:
		return false // a number against text: NaN, false as in XPath
	default:
		c = strings.Compare(a.AsString(), b.AsString())
	}
	switch op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func call(n *node, env Env) (Val, error) {
	// if() and coalesce() evaluate only what they need.
	switch n.op {
	case "if":
		c, err := eval(n.args[0], env)
		if err != nil {
			return Val{}, err
		}
		if c.AsBool() {
			return eval(n.args[1], env)
		}
		return eval(n.args[2], env)
	case "coalesce":
		a, err := eval(n.args[0], env)
		if err != nil || !a.IsEmpty() {
			return a, err
		}
		return eval(n.args[1], env)
	case "today":
		return Str(env.Now().Format(time.DateOnly)), nil
	case "now":
		return Str(env.Now().Format(DateTimeLayout)), nil
	case "string-length":
		if len(n.args) == 0 {
			return Num(float64(utf8.RuneCountInString(env.Current().AsString()))), nil
		}
	}
	args := make([]Val, len(n.args))
	for i, a := range n.args {
		v, err := eval(a, env)
		if err != nil {
			return Val{}, err
		}
		args[i] = v
	}
	switch n.op {
	case "not":
		return Boolean(!args[0].AsBool()), nil
	case "true", "false":
		return Boolean(n.op == "true"), nil
	case "selected":
		return Boolean(slices.Contains(args[0].names(), strings.TrimSpace(args[1].AsString()))), nil
	case "count-selected":
		return Num(float64(len(args[0].names()))), nil
	case "string-length":
		return Num(float64(utf8.RuneCountInString(args[0].AsString()))), nil
	case "regex":
		return Boolean(n.re.MatchString(args[0].AsString())), nil
	case "concat":
		var b strings.Builder
		for _, a := range args {
			s := a.AsString()
			if b.Len()+len(s) > MaxString {
				return Val{}, ErrTooLarge
			}
			b.WriteString(s)
		}
		return Str(b.String()), nil
	case "int":
		return Num(math.Trunc(args[0].AsNumber())), nil
	case "number":
		return Num(args[0].AsNumber()), nil
	case "round":
		return Num(round(args)), nil
	case "jr:choice-name":
		label, _ := env.ChoiceLabel(n.name, args[0].AsString())
		return Str(label), nil
	}
	return Val{}, errors.New("expr: unknown function " + n.op)
}

// round is ODK's round(x[, digits]): half away from zero.
func round(args []Val) float64 {
	x := args[0].AsNumber()
	if len(args) == 1 {
		return math.Round(x)
	}
	d := args[1].AsNumber()
	if math.IsNaN(d) {
		return math.NaN()
	}
	d = math.Max(-15, math.Min(15, math.Trunc(d)))
	p := math.Pow(10, d)
	return math.Round(x*p) / p
}
