package region

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ReadCSV reads a catalog in the format of the embedded Kota Jambi file
// (data/kota_jambi_wilayah.csv): a header naming at least the columns tingkat,
// kode_kemendagri, nama, kode_kecamatan and catatan; one row with tingkat
// "kota" (or "kabupaten") for the city, rows "kecamatan" and "kelurahan" (or
// "desa"), the latter pointing to its kecamatan by kode_kecamatan and so
// coming after it. Spelling variants come from catatan after "ejaan lain:",
// separated by commas or slashes, with a trailing source in parentheses dropped
// ("ejaan lain: The Hok (BPS)" gives "The Hok"). The result is checked as by New.
func ReadCSV(r io.Reader) (*Catalog, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("region: %w", err)
	}
	if len(rows) == 0 {
		return nil, errors.New("region: empty CSV")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, need := range []string{"tingkat", "kode_kemendagri", "nama", "kode_kecamatan", "catatan"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("region: CSV has no column %q", need)
		}
	}
	get := func(row []string, name string) string {
		if i := col[name]; i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	var city string
	var kec []Kecamatan
	at := map[string]int{}
	for n, row := range rows[1:] {
		line := n + 2
		code, name := get(row, "kode_kemendagri"), get(row, "nama")
		variants := variantsOf(get(row, "catatan"))
		switch level := get(row, "tingkat"); level {
		case "kota", "kabupaten":
			// One list serves one city: a second city row is a file
			// put together from two, not a detail to pick from.
			if city != "" {
				return nil, fmt.Errorf("region: line %d: a second %s row (%q after %q); the list is of one city",
					line, level, name, city)
			}
			if city = name; city == "" {
				return nil, fmt.Errorf("region: line %d: the %s row has no nama", line, level)
			}
		case "kecamatan":
			at[code] = len(kec)
			kec = append(kec, Kecamatan{Code: code, Name: name, Variants: variants})
		case "kelurahan", "desa":
			i, ok := at[get(row, "kode_kecamatan")]
			if !ok {
				return nil, fmt.Errorf("region: line %d: kelurahan %q names kecamatan %q before it is listed",
					line, name, get(row, "kode_kecamatan"))
			}
			kec[i].Kelurahan = append(kec[i].Kelurahan, Kelurahan{Code: code, Name: name, Variants: variants})
		default:
			return nil, fmt.Errorf("region: line %d: unknown tingkat %q", line, level)
		}
	}
	if city == "" {
		return nil, errors.New("region: no row with tingkat kota or kabupaten (the city's name)")
	}
	return New(city, kec)
}

func variantsOf(note string) []string {
	const marker = "ejaan lain:"
	i := strings.Index(strings.ToLower(note), marker)
	if i < 0 {
		return nil
	}
	rest := note[i+len(marker):]
	if j := strings.IndexAny(rest, ";\n"); j >= 0 {
		rest = rest[:j]
	}
	var out []string
	for _, v := range strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == '/' }) {
		if j := strings.Index(v, "("); j >= 0 {
			v = v[:j]
		}
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
