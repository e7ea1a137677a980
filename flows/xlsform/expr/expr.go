// Package expr parses and evaluates the XPath subset XLSForm forms use in
// relevant, constraint, calculation, choice_filter and default. A form's
// expressions are parsed once when the form is loaded; evaluation is bounded
// (depth, length, RE2 regular expressions) and returns errors, never panics,
// whatever the input.
package expr

import (
	"time"
)

// Limits of what Parse accepts; a form beyond them is refused at load.
const (
	MaxSource = 4096 // bytes of one expression
	MaxDepth  = 64   // nesting of parentheses, operators and calls
)

// DateTimeLayout is how now() writes the time and how an Env should give a
// dateTime answer (ODK's form): strings in one layout compare in time order.
const DateTimeLayout = "2006-01-02T15:04:05.000-07:00"

// Expr is a parsed expression. It is immutable and safe for concurrent use.
type Expr struct {
	src  string
	root *node
	refs []string
	cols []string
}

// Kind tells which of XPath's value kinds a Val holds.
type Kind int

// The kinds of values. Empty is an unanswered question: it compares equal to
// "" and counts as false, like an empty node-set in XPath.
const (
	Empty Kind = iota
	String
	Number
	Bool
	List // the chosen names of a select_multiple
)

// Val is a value during evaluation.
type Val struct {
	Kind Kind
	Str  string
	Num  float64
	Bool bool
	List []string
}

// Env gives an evaluation the values it reads. Value of a name no question
// has is never asked: Parse's Refs let the loader refuse such forms first.
type Env interface {
	// Value returns ${name}'s current answer: Empty when unanswered or not
	// relevant, Num for integer and decimal, ListOf for select_multiple,
	// Str otherwise (dates as 2006-01-02, times as 15:04:05.000-07:00,
	// dateTimes in DateTimeLayout, so they compare as now() and today() do).
	Value(name string) Val
	// Current returns "." (the answer being checked by a constraint).
	Current() Val
	// Now is the clock for now() and today(), injected for tests.
	Now() time.Time
	// ChoiceLabel returns the label of choice value of question name, for
	// jr:choice-name(value, '${name}'); ok is false when there is none.
	ChoiceLabel(name, value string) (label string, ok bool)
	// Column returns a bare name's value: in a choice_filter, the column of
	// that name of the choice being filtered ("name" is the choice's name).
	Column(name string) Val
}
