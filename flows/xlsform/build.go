package xlsform

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// Sheet is one sheet for Build: rows of cells, the header row first.
type Sheet struct {
	Name string
	Rows [][]string
}

// Build writes sheets as an .xlsx workbook, every cell as text. Tests build
// their forms with it, and forms/gen.go the shipped form.
func Build(sheets ...Sheet) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName(f.GetSheetName(0), s.Name); err != nil {
				return nil, fmt.Errorf("build sheet %s: %w", s.Name, err)
			}
		} else if _, err := f.NewSheet(s.Name); err != nil {
			return nil, fmt.Errorf("build sheet %s: %w", s.Name, err)
		}
		for r, cells := range s.Rows {
			for c, v := range cells {
				if v == "" {
					continue
				}
				cell, err := excelize.CoordinatesToCellName(c+1, r+1)
				if err != nil {
					return nil, fmt.Errorf("build sheet %s: %w", s.Name, err)
				}
				if err := f.SetCellStr(s.Name, cell, v); err != nil {
					return nil, fmt.Errorf("build sheet %s cell %s: %w", s.Name, cell, err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("build workbook: %w", err)
	}
	return buf.Bytes(), nil
}
