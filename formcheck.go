package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"dinsosbot/flows/i18n"
	"dinsosbot/flows/region"
	"dinsosbot/flows/xlsform"
)

// errFormRefused ends `form check` with exit status 1 after the refusal's
// lines are printed.
var errFormRefused = errors.New("form refused")

// formCommand runs `dinsosbot form check [-lang en] FILE.xlsx`: it loads the
// workbook as the bot would when an admin uploads it, and prints the form as
// understood or every reason it is refused. regions are the configured ones,
// for the kecamatan and kelurahan types.
func formCommand(args []string, regions *region.Catalog, stdout, stderr io.Writer) error {
	usage := func() error {
		fmt.Fprintln(stderr, "usage: dinsosbot [-config FILE] form check [-lang id|en] FILE.xlsx")
		return errors.New("form: expected: form check FILE.xlsx")
	}
	if len(args) == 0 || args[0] != "check" {
		return usage()
	}
	fs := flag.NewFlagSet("form check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", "id", "language of the output: id or en")
	// The file may come before or after the flag.
	rest := args[1:]
	var files []string
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(files) != 1 {
		return usage()
	}
	f, err := os.Open(files[0])
	if err != nil {
		return fmt.Errorf("form check: %w", err)
	}
	defer f.Close()
	l := i18n.Parse(*lang, i18n.ID)
	form, err := xlsform.Load(f, xlsform.Options{Regions: regions})
	var ref *xlsform.Refusal
	switch {
	case errors.As(err, &ref):
		fmt.Fprintln(stdout, i18n.T(l, "xf.check.refused", "n", fmt.Sprint(len(ref.Problems))))
		fmt.Fprintln(stdout, ref.Text(l))
		return errFormRefused
	case err != nil:
		return fmt.Errorf("form check %s: %w", files[0], err)
	}
	fmt.Fprint(stdout, form.Describe(string(l)))
	return nil
}
