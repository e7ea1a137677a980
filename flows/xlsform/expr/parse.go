package expr

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Code tells what is wrong with an expression, so a caller can explain it in
// the reader's language.
type Code string

// The ways an expression is refused.
const (
	ErrEmpty    Code = "empty"    // nothing to parse
	ErrTooLong  Code = "too_long" // over MaxSource bytes
	ErrTooDeep  Code = "too_deep" // nested over MaxDepth
	ErrSyntax   Code = "syntax"   // a token where it cannot stand (Near)
	ErrFunction Code = "function" // a function outside the subset (Func)
	ErrArity    Code = "arity"    // a listed function with a wrong argument count (Func)
	ErrRegex    Code = "regex"    // regex() with a pattern that is not a literal or not valid RE2
	ErrPath     Code = "path"     // an XPath path (/data/x, .., instance) instead of ${name}
	ErrChoice   Code = "choice"   // jr:choice-name() whose second argument is not '${name}'
	ErrSlash    Code = "slash"    // a / after a value: a division, which XPath writes div
	ErrQuote    Code = "quote"    // a curly quote where a straight one is meant
)

// Error is a refused expression.
type Error struct {
	Code Code
	Pos  int    // byte offset in the source
	Near string // the text at Pos, for ErrSyntax and ErrPath
	Func string // the function, for ErrFunction and ErrArity
}

func (e *Error) Error() string {
	switch e.Code {
	case ErrFunction:
		return "expr: unsupported function " + e.Func + "()"
	case ErrArity:
		return "expr: wrong number of arguments to " + e.Func + "()"
	case ErrSyntax, ErrPath, ErrSlash, ErrQuote:
		return "expr: " + string(e.Code) + " near " + strconv.Quote(e.Near) + " at " + strconv.Itoa(e.Pos)
	}
	return "expr: " + string(e.Code)
}

type nodeKind uint8

const (
	nLit     nodeKind = iota // val
	nRef                     // ${name}
	nCurrent                 // .
	nColumn                  // a bare name: a choices column in a choice_filter
	nBinary                  // op, args[0], args[1]
	nNeg                     // -args[0]
	nCall                    // op is the function, args
)

type node struct {
	kind nodeKind
	op   string
	name string
	val  Val
	args []*node
	re   *regexp.Regexp // regex(): compiled once at parse
}

// arity is the listed functions' argument counts: min, max (-1: any).
var arity = map[string][2]int{
	"not":            {1, 1},
	"true":           {0, 0},
	"false":          {0, 0},
	"selected":       {2, 2},
	"count-selected": {1, 1},
	"string-length":  {0, 1},
	"regex":          {2, 2},
	"today":          {0, 0},
	"now":            {0, 0},
	"if":             {3, 3},
	"coalesce":       {2, 2},
	"concat":         {0, -1},
	"int":            {1, 1},
	"number":         {1, 1},
	"round":          {1, 2},
	"jr:choice-name": {2, 2},
}

// Parse parses src once; the result is evaluated many times with Eval.
func Parse(src string) (*Expr, error) {
	if len(src) > MaxSource {
		return nil, &Error{Code: ErrTooLong}
	}
	if strings.TrimSpace(src) == "" {
		return nil, &Error{Code: ErrEmpty}
	}
	p := &parser{src: src}
	p.next()
	root, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.syntax()
	}
	e := &Expr{src: src, root: root}
	refs, cols := map[string]bool{}, map[string]bool{}
	walk(root, func(n *node) {
		switch n.kind {
		case nRef:
			refs[n.name] = true
		case nColumn:
			cols[n.name] = true
		case nCall:
			if n.op == "jr:choice-name" {
				refs[n.name] = true
			}
		}
	})
	e.refs = sortedKeys(refs)
	e.cols = sortedKeys(cols)
	return e, nil
}

func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func walk(n *node, f func(*node)) {
	f(n)
	for _, a := range n.args {
		walk(a, f)
	}
}

// Refs lists the ${names} e reads (jr:choice-name's '${name}' included),
// sorted, without duplicates.
func (e *Expr) Refs() []string { return slices.Clone(e.refs) }

// Columns lists the bare names e reads: in a choice_filter they are columns
// of the choices sheet; anywhere else the loader refuses them.
func (e *Expr) Columns() []string { return slices.Clone(e.cols) }

// Functions lists the functions e calls, sorted, without duplicates.
func (e *Expr) Functions() []string {
	m := map[string]bool{}
	walk(e.root, func(n *node) {
		if n.kind == nCall {
			m[n.op] = true
		}
	})
	return sortedKeys(m)
}

// String returns the source as written.
func (e *Expr) String() string { return e.src }

type tokKind uint8

const (
	tEOF tokKind = iota
	tNum
	tStr
	tRef
	tDot
	tName
	tOp // + - * = != < <= > >= and or div mod
	tLParen
	tRParen
	tComma
	tBad // anything else: a path, a bracket, an unclosed quote
)

type token struct {
	kind tokKind
	text string
	pos  int
	num  float64
}

type parser struct {
	src string
	pos int
	tok token
	err *Error // a lexing error seen by next
}

func (p *parser) syntax() error {
	if p.err != nil {
		return p.err
	}
	near := p.tok.text
	if p.tok.kind == tEOF {
		near = "(end)"
	}
	return &Error{Code: ErrSyntax, Pos: p.tok.pos, Near: near}
}

func isNameStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isNameChar(c byte) bool {
	return isNameStart(c) || c >= '0' && c <= '9' || c == '-' || c == '.'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// next reads the following token into p.tok.
func (p *parser) next() {
	s := p.src
	for p.pos < len(s) {
		if c := s[p.pos]; c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			p.pos++
			continue
		}
		// A no-break space (Excel and web pages paste them) or another
		// Unicode space separates tokens as a space does.
		if n := unicodeSpace(s[p.pos:]); n > 0 {
			p.pos += n
			continue
		}
		break
	}
	start := p.pos
	if p.pos >= len(s) {
		p.tok = token{kind: tEOF, pos: start}
		return
	}
	c := s[p.pos]
	switch {
	case c == '$' && p.pos+1 < len(s) && s[p.pos+1] == '{':
		end := strings.IndexByte(s[p.pos:], '}')
		if end < 0 {
			p.bad(start, s[start:])
			return
		}
		name := s[p.pos+2 : p.pos+end]
		p.pos += end + 1
		if !ValidName(name) {
			p.bad(start, s[start:p.pos])
			return
		}
		p.tok = token{kind: tRef, text: name, pos: start}
	case isDigit(c) || c == '.' && p.pos+1 < len(s) && isDigit(s[p.pos+1]):
		for p.pos < len(s) && (isDigit(s[p.pos]) || s[p.pos] == '.') {
			p.pos++
		}
		f, err := strconv.ParseFloat(s[start:p.pos], 64)
		if err != nil {
			p.bad(start, s[start:p.pos])
			return
		}
		p.tok = token{kind: tNum, text: s[start:p.pos], pos: start, num: f}
	case c == '.':
		if p.pos+1 < len(s) && (s[p.pos+1] == '.' || s[p.pos+1] == '/') {
			p.path(start)
			return
		}
		p.pos++
		p.tok = token{kind: tDot, text: ".", pos: start}
	case c == '\'' || c == '"':
		end := strings.IndexByte(s[p.pos+1:], c)
		if end < 0 {
			p.bad(start, s[start:])
			return
		}
		p.tok = token{kind: tStr, text: s[p.pos+1 : p.pos+1+end], pos: start}
		p.pos += end + 2
	case curlyQuote(s[p.pos:]):
		// Word and web pages turn quotes curly; XPath reads only straight ones.
		p.tok = token{kind: tBad, text: nearText(s[start:]), pos: start}
		if p.err == nil {
			p.err = &Error{Code: ErrQuote, Pos: start, Near: nearText(s[start:])}
		}
		p.pos = len(s)
	case isNameStart(c) && unicodeSpace(s[p.pos:]) == 0:
		for p.pos < len(s) && (isNameChar(s[p.pos]) || s[p.pos] == ':') && unicodeSpace(s[p.pos:]) == 0 {
			p.pos++
		}
		word := s[start:p.pos]
		switch word {
		case "and", "or", "div", "mod":
			p.tok = token{kind: tOp, text: word, pos: start}
		default:
			if p.pos < len(s) && (s[p.pos] == '/' || s[p.pos] == '[') {
				p.path(start)
				return
			}
			p.tok = token{kind: tName, text: word, pos: start}
		}
	case c == '/':
		switch p.tok.kind {
		case tNum, tStr, tRef, tDot, tRParen:
			// After a value, / is a division written as in a spreadsheet.
			p.tok = token{kind: tBad, text: "/", pos: start}
			if p.err == nil {
				p.err = &Error{Code: ErrSlash, Pos: start, Near: nearText(s[start:])}
			}
			p.pos = len(s)
		default:
			p.path(start)
		}
	case c == '(':
		p.pos++
		p.tok = token{kind: tLParen, text: "(", pos: start}
	case c == ')':
		p.pos++
		p.tok = token{kind: tRParen, text: ")", pos: start}
	case c == ',':
		p.pos++
		p.tok = token{kind: tComma, text: ",", pos: start}
	case c == '!' || c == '<' || c == '>':
		p.pos++
		if p.pos < len(s) && s[p.pos] == '=' {
			p.pos++
		} else if c == '!' {
			p.bad(start, "!")
			return
		}
		p.tok = token{kind: tOp, text: s[start:p.pos], pos: start}
	case c == '+' || c == '-' || c == '*' || c == '=':
		p.pos++
		p.tok = token{kind: tOp, text: string(c), pos: start}
	default:
		p.bad(start, nearText(s[start:]))
	}
}

// curlyQuote reports whether s starts with a typographic quote.
func curlyQuote(s string) bool {
	for _, q := range []string{"\u2018", "\u2019", "\u201c", "\u201d"} {
		if strings.HasPrefix(s, q) {
			return true
		}
	}
	return false
}

// unicodeSpace returns the byte length of the Unicode space (no-break,
// zero-width, ...) s starts with, 0 when it starts with none.
func unicodeSpace(s string) int {
	if s == "" || s[0] < 0x80 {
		return 0
	}
	r, n := utf8.DecodeRuneInString(s)
	if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
		return n
	}
	return 0
}

// nearText is the start of s, cut to a readable length on a rune boundary.
func nearText(s string) string {
	for i := range s {
		if i >= 12 {
			return s[:i]
		}
	}
	return s
}

func (p *parser) bad(pos int, near string) {
	p.tok = token{kind: tBad, text: nearText(near), pos: pos}
	if p.err == nil {
		p.err = &Error{Code: ErrSyntax, Pos: pos, Near: nearText(near)}
	}
	p.pos = len(p.src)
}

func (p *parser) path(pos int) {
	p.tok = token{kind: tBad, text: nearText(p.src[pos:]), pos: pos}
	if p.err == nil {
		p.err = &Error{Code: ErrPath, Pos: pos, Near: nearText(p.src[pos:])}
	}
	p.pos = len(p.src)
}

// The grammar, loosest first, as XPath 1.0: or, and, = !=, < <= > >=, + -,
// * div mod, unary -, primary. depth counts every level entered, so a
// deeply nested source fails before the Go stack grows large.

func (p *parser) enter(depth int) error {
	if depth > MaxDepth*8 {
		return &Error{Code: ErrTooDeep, Pos: p.tok.pos}
	}
	return nil
}

func (p *parser) binary(depth int, ops []string, sub func(int) (*node, error)) (*node, error) {
	if err := p.enter(depth); err != nil {
		return nil, err
	}
	left, err := sub(depth + 1)
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tOp && slices.Contains(ops, p.tok.text) {
		op := p.tok.text
		p.next()
		right, err := sub(depth + 1)
		if err != nil {
			return nil, err
		}
		left = &node{kind: nBinary, op: op, args: []*node{left, right}}
	}
	return left, nil
}

func (p *parser) or(d int) (*node, error) { return p.binary(d, []string{"or"}, p.and) }
func (p *parser) and(d int) (*node, error) {
	return p.binary(d, []string{"and"}, p.equality)
}
func (p *parser) equality(d int) (*node, error) {
	return p.binary(d, []string{"=", "!="}, p.relational)
}
func (p *parser) relational(d int) (*node, error) {
	return p.binary(d, []string{"<", "<=", ">", ">="}, p.additive)
}
func (p *parser) additive(d int) (*node, error) {
	return p.binary(d, []string{"+", "-"}, p.multiplicative)
}
func (p *parser) multiplicative(d int) (*node, error) {
	return p.binary(d, []string{"*", "div", "mod"}, p.unary)
}

func (p *parser) unary(d int) (*node, error) {
	if err := p.enter(d); err != nil {
		return nil, err
	}
	if p.tok.kind == tOp && p.tok.text == "-" {
		p.next()
		n, err := p.unary(d + 1)
		if err != nil {
			return nil, err
		}
		return &node{kind: nNeg, args: []*node{n}}, nil
	}
	return p.primary(d + 1)
}

func (p *parser) primary(d int) (*node, error) {
	if err := p.enter(d); err != nil {
		return nil, err
	}
	t := p.tok
	switch t.kind {
	case tNum:
		p.next()
		return &node{kind: nLit, val: Num(t.num)}, nil
	case tStr:
		p.next()
		return &node{kind: nLit, val: Str(t.text)}, nil
	case tRef:
		p.next()
		return &node{kind: nRef, name: t.text}, nil
	case tDot:
		p.next()
		return &node{kind: nCurrent}, nil
	case tLParen:
		p.next()
		n, err := p.or(d + 1)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, p.syntax()
		}
		p.next()
		return n, nil
	case tName:
		p.next()
		if p.tok.kind != tLParen {
			if strings.Contains(t.text, ":") || !ValidName(t.text) {
				return nil, &Error{Code: ErrPath, Pos: t.pos, Near: t.text}
			}
			return &node{kind: nColumn, name: t.text}, nil
		}
		return p.call(d, t)
	}
	return nil, p.syntax()
}

func (p *parser) call(d int, fn token) (*node, error) {
	p.next() // (
	var args []*node
	if p.tok.kind != tRParen {
		for {
			a, err := p.or(d + 1)
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			if p.tok.kind != tComma {
				break
			}
			p.next()
		}
	}
	if p.tok.kind != tRParen {
		return nil, p.syntax()
	}
	p.next()
	ar, ok := arity[fn.text]
	if !ok {
		return nil, &Error{Code: ErrFunction, Pos: fn.pos, Func: fn.text}
	}
	if len(args) < ar[0] || ar[1] >= 0 && len(args) > ar[1] {
		return nil, &Error{Code: ErrArity, Pos: fn.pos, Func: fn.text}
	}
	n := &node{kind: nCall, op: fn.text, args: args}
	switch fn.text {
	case "regex":
		if args[1].kind != nLit || args[1].val.Kind != String {
			return nil, &Error{Code: ErrRegex, Pos: fn.pos, Func: fn.text}
		}
		re, err := regexp.Compile(args[1].val.Str)
		if err != nil {
			return nil, &Error{Code: ErrRegex, Pos: fn.pos, Func: fn.text}
		}
		n.re = re
	case "jr:choice-name":
		// ODK writes the question as a string: jr:choice-name(${q}, '${q}').
		a := args[1]
		if a.kind != nLit || a.val.Kind != String {
			return nil, &Error{Code: ErrChoice, Pos: fn.pos, Func: fn.text}
		}
		name := strings.TrimSpace(a.val.Str)
		if strings.HasPrefix(name, "${") && strings.HasSuffix(name, "}") {
			name = name[2 : len(name)-1]
		}
		if !ValidName(name) {
			return nil, &Error{Code: ErrChoice, Pos: fn.pos, Func: fn.text}
		}
		n.name = name
	}
	return n, nil
}

// ValidName reports whether s is a valid XML name as XLSForm requires of a
// question or choice list name: a letter or _ first, then letters, digits,
// '-', '_' and '.' (letters and digits of any script). Colons are left out
// on purpose: a namespace prefix means nothing to the bot.
func ValidName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case r >= 0x80 && unicode.IsLetter(r):
		case i > 0 && (r >= '0' && r <= '9' || r == '-' || r == '.' || r >= 0x80 && unicode.IsDigit(r)):
		default:
			return false
		}
	}
	return true
}

// Literal is an expression whose value is always s, for a plain default.
func Literal(s string) *Expr {
	return &Expr{src: "'" + s + "'", root: &node{kind: nLit, val: Str(s)}}
}

// And is a and b, for a group's relevant joined to its questions'; a nil
// side is left out.
func And(a, b *Expr) *Expr {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	refs := map[string]bool{}
	cols := map[string]bool{}
	for _, e := range []*Expr{a, b} {
		for _, r := range e.refs {
			refs[r] = true
		}
		for _, c := range e.cols {
			cols[c] = true
		}
	}
	return &Expr{src: "(" + a.src + ") and (" + b.src + ")",
		root: &node{kind: nBinary, op: "and", args: []*node{a.root, b.root}},
		refs: sortedKeys(refs), cols: sortedKeys(cols)}
}
