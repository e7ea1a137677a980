package flows

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// The drawings of the registration and case flows are kept in
// testdata/golden; a change of a flow changes its drawing, and the diff shows
// it in review. Run with -update to accept a change.
func TestFlowMermaidGolden(t *testing.T) {
	a := New(Config{})
	for _, name := range []string{"register", caseFlowName} {
		t.Run(name, func(t *testing.T) {
			got := a.flows[name].Mermaid()
			path := filepath.Join("testdata", "golden", name+".mmd")
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./flows -run Mermaid -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s drawing changed; run with -update if intended.\ngot:\n%s\nwant:\n%s", name, got, want)
			}
		})
	}
}
