package expr

import "errors"

type node struct{}

// Parse parses src (not implemented yet in this commit).
func Parse(src string) (*Expr, error) { return nil, errors.New("expr: not implemented") }

// Refs lists the ${names} e reads, sorted, without duplicates.
func (e *Expr) Refs() []string { return e.refs }

// String returns the source.
func (e *Expr) String() string { return e.src }

// Eval evaluates e against env.
func Eval(e *Expr, env Env) (Val, error) { return Val{}, errors.New("expr: not implemented") }
