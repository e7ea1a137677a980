package engine

import (
	"fmt"
	"strings"
)

// Mermaid draws the flow as a Mermaid state diagram: each step with its input
// kind, the order they are asked in, a choice before every conditional step
// (asked or passed over), the /lewati edge of an optional step, the options
// that end the flow, and the summary with save. /batal, /kembali and the
// summary's edit buttons, which every flow has, are left out. The drawing is
// deterministic, so a golden file keeps it honest.
func (f *Flow) Mermaid() string {
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	fmt.Fprintf(&b, "    %%%% flow %s; every step also has /batal and /kembali\n", f.Name)
	const summary = "summary"
	// entry is where the flow goes to reach step i: its choice when it is
	// conditional, the summary (or the end) after the last step.
	entry := func(i int) string {
		switch {
		case i < len(f.Steps) && (f.Steps[i].If != nil || f.Steps[i].Preset != nil):
			return "if_" + f.Steps[i].Key
		case i < len(f.Steps):
			return f.Steps[i].Key
		case f.NoSummary:
			return "[*]"
		}
		return summary
	}
	fmt.Fprintf(&b, "    [*] --> %s\n", entry(0))
	for i := range f.Steps {
		s := &f.Steps[i]
		next := entry(i + 1)
		if s.If != nil || s.Preset != nil {
			fmt.Fprintf(&b, "    state if_%s <<choice>>\n", s.Key)
			fmt.Fprintf(&b, "    if_%s --> %s : asked\n", s.Key, s.Key)
			if s.If != nil {
				fmt.Fprintf(&b, "    if_%s --> %s : not applicable\n", s.Key, next)
			}
			if s.Preset != nil {
				fmt.Fprintf(&b, "    if_%s --> %s : preset\n", s.Key, next)
			}
		}
		fmt.Fprintf(&b, "    %s : %s\n", s.Key, s.describe())
		for _, o := range s.Options {
			if o.Cancels {
				fmt.Fprintf(&b, "    %s --> [*] : %s (ends)\n", s.Key, o.Value)
			}
		}
		fmt.Fprintf(&b, "    %s --> %s\n", s.Key, next)
		if s.Optional {
			fmt.Fprintf(&b, "    %s --> %s : /lewati\n", s.Key, next)
		}
	}
	if !f.NoSummary {
		fmt.Fprintf(&b, "    %s : summary, ✏️ per shown step\n", summary)
		fmt.Fprintf(&b, "    %s --> [*] : save\n", summary)
	}
	return b.String()
}

// describe is a step's label in a drawing: "name · name 3..80 · optional".
func (s *Step) describe() string {
	parts := []string{s.Key, s.Input.String()}
	switch s.Input {
	case InputText, InputName, InputMulti, InputPhotos, InputNumber:
		if s.Max > 0 {
			parts[1] += fmt.Sprintf(" %d..%d", s.Min, s.Max)
		}
		if s.Caption > 0 {
			parts[1] += fmt.Sprintf(" or photo (caption ..%d)", s.Caption)
		}
	case InputChoice:
		if len(s.Options) > 0 {
			var vals []string
			for _, o := range s.Options {
				vals = append(vals, o.Value)
			}
			parts[1] += " " + strings.Join(vals, "|")
		} else {
			parts[1] += " (computed)"
		}
	}
	if s.Optional {
		parts = append(parts, "optional")
	}
	if s.Hidden {
		parts = append(parts, "hidden")
	}
	if len(s.DependsOn) > 0 {
		parts = append(parts, "depends on "+strings.Join(s.DependsOn, ", "))
	}
	return strings.Join(parts, " · ")
}
