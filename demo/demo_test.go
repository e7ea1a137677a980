package demo

import (
	"io"
	"os"
	"strings"
	"testing"
)

// TestIsTerminal: the interactive part starts only at a terminal. /dev/null
// is a character device but no terminal ("dinsosbot demo </dev/null" must
// end after the script), and neither is a pipe or a reader.
func TestIsTerminal(t *testing.T) {
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	type termCase struct {
		name string
		in   io.Reader
		want bool
	}
	tests := []termCase{
		{"/dev/null", devNull, false},
		{"a pipe", r, false},
		{"a string", strings.NewReader("hello\n"), false},
		{"nil", nil, false},
	}
	// A pseudo-terminal's master side answers the terminal ioctl as a
	// terminal does; machines without /dev/ptmx skip this case.
	if ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0); err == nil {
		defer ptmx.Close()
		tests = append(tests, termCase{"a pseudo-terminal", ptmx, true})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isTerminal(tt.in); got != tt.want {
				t.Errorf("isTerminal = %v, want %v", got, tt.want)
			}
		})
	}
}
