package xlsform_test

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"dinsosbot/flows/xlsform"
)

// A form as KoBoToolbox exports it: $kuid and $autoname columns, required
// as real TRUE/FALSE cells, numbers as number cells, English labels only,
// nested groups, a settings version that is a number. It loads.
func TestLoadKoboExport(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "survey"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"choices", "settings"} {
		if _, err := f.NewSheet(s); err != nil {
			t.Fatal(err)
		}
	}
	set := func(sheet, cell string, v any) {
		t.Helper()
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	rows := [][]any{
		{"type", "name", "label::English (en)", "required", "relevant", "constraint", "$kuid", "$autoname", "appearance", "calculation"},
		{"start", "start", nil, nil, nil, nil, "abc1", "start"},
		{"end", "end", nil, nil, nil, nil, "abc2", "end"},
		{"begin_group", "household", "Household", false, nil, nil, "abc3", "household", "field-list"},
		{"integer", "members", "How many members?", true, nil, ". > 0 and . < 30", "abc4", "members"},
		{"begin_group", "head", "Head of household", nil, "${members} > 0", nil, "abc5", "head"},
		{"select_one yes_no", "female_head", "Is the head a woman?", true, nil, nil, "abc6", "female_head"},
		{"end_group", nil, nil, nil, nil, nil, "abc7"},
		{"end_group", nil, nil, nil, nil, nil, "abc8"},
		{"calculate", "per_member", nil, nil, nil, nil, "abc9", "per_member", nil, "100 div ${members}"},
		{"note", "thanks", "Thank you (${per_member})", false, nil, nil, "abc10", "thanks"},
	}
	for r, cells := range rows {
		for c, v := range cells {
			if v == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			set("survey", cell, v)
		}
	}
	for r, cells := range [][]any{{"list_name", "name", "label::English (en)", "$autovalue"}, {"yes_no", 1, "Yes", "1"}, {"yes_no", 0, "No", "0"}} {
		for c, v := range cells {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			set("choices", cell, v)
		}
	}
	set("settings", "A1", "form_title")
	set("settings", "B1", "form_id")
	set("settings", "C1", "version")
	set("settings", "A2", "Household survey")
	set("settings", "B2", "aX4bQ_household")
	set("settings", "C2", 2026120401)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	form, err := xlsform.Load(&buf, xlsform.Options{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	byName := map[string]xlsform.Question{}
	for _, q := range form.Questions {
		byName[q.Name] = q
	}
	if !byName["members"].Required || byName["thanks"].Required || form.Version != "2026120401" {
		t.Errorf("required members %v thanks %v, version %q", byName["members"].Required, byName["thanks"].Required, form.Version)
	}
	if c := form.Choices["yes_no"]; len(c) != 2 || c[0].Name != "1" || c[1].Name != "0" {
		t.Errorf("choices %+v", c)
	}
	if q := byName["female_head"]; q.Relevant == nil || q.Relevant.String() != "${members} > 0" || len(q.Group) != 2 {
		t.Errorf("female_head %+v", q)
	}
}
