package xlsform

import (
	"errors"
	"io"
)

// DefaultMaxBytes bounds a workbook when Options.MaxBytes is 0.
const DefaultMaxBytes = 5 << 20

// Load reads an XLSForm workbook; on refusal it returns *Refusal listing
// every problem.
func Load(r io.Reader, opt Options) (*Form, error) {
	return nil, errors.New("xlsform: not implemented")
}

// Describe renders the form as the bot understands it, for `form check`.
func (f *Form) Describe(lang string) string { return "" }
