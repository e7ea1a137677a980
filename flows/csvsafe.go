package flows

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
)

// Every CSV the bot sends (/ekspor, the daftar hadir) is written by writeCSV,
// so that no cell reaches a spreadsheet as anything but the text it is. Names,
// addresses, descriptions and meeting titles are typed by people, and a
// spreadsheet opening a CSV runs a cell starting with = + - @ as a formula
// (OWASP "CSV injection": =HYPERLINK to leak the row, =cmd|... on old Excel).
// The XLSX files need none of this: their cells are written as strings, which
// Excel never evaluates.

// writeCSV renders rows as CSV with a UTF-8 byte order mark (so spreadsheet
// programs read names right), every cell through csvCell.
func writeCSV(rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	for _, row := range rows {
		safe := make([]string, len(row))
		for i, cell := range row {
			safe[i] = csvCell(cell)
		}
		if err := w.Write(safe); err != nil {
			return nil, fmt.Errorf("write csv: %w", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("write csv: %w", err)
	}
	return buf.Bytes(), nil
}

// csvCell returns s as a spreadsheet will show it as text: a leading single
// quote (OWASP's advice; spreadsheets show it, and it cannot run) before
//   - a cell starting with =, +, -, @, tab or CR, also after leading blanks,
//     which some programs trim before they look;
//   - a run of 12 or more digits, or digits with a leading zero: read as a
//     number, a NIK loses its last digit (Excel keeps 15) and shows as
//     1,57101E+15, and a leading zero is dropped.
//
// A plain number ("-1.610100", a latitude) stays as it is: it is no formula.
func csvCell(s string) string {
	if s == "" {
		return s
	}
	unsigned := s
	if s[0] == '+' || s[0] == '-' {
		unsigned = s[1:]
	}
	if csvDigits(unsigned) {
		if len(unsigned) >= 12 || (len(unsigned) > 1 && unsigned[0] == '0') {
			return "'" + s
		}
		return s
	}
	if whole, frac, dotted := strings.Cut(unsigned, "."); dotted && csvDigits(whole) && csvDigits(frac) {
		return s
	}
	if t := strings.TrimLeft(s, " \n"); strings.ContainsRune("=+-@\t\r", rune(s[0])) ||
		(t != "" && strings.ContainsRune("=+-@\t\r", rune(t[0]))) {
		return "'" + s
	}
	return s
}

// csvDigits reports whether s is one or more ASCII digits.
func csvDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
