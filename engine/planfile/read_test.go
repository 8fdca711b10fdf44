package planfile

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestReadSaysWhatIsWrong reads damaged saved plans: each error says what is
// wrong with the file and what to do.
func TestReadSaysWhatIsWrong(t *testing.T) {
	p, cfg := samplePlan()
	d := FromPlan(p, cfg, Target{Kind: "local", StackDir: "stack"}, "test")
	d.Fingerprint = Fingerprint(p.Actual)
	var buf bytes.Buffer
	if err := Write(&buf, d); err != nil {
		t.Fatal(err)
	}
	whole := buf.String()
	cases := []struct {
		name string
		r    io.Reader
		want []string
	}{
		{"truncated", strings.NewReader(whole[:len(whole)/2]), []string{"truncated", "copy it again, or make a new plan with trustform plan -out FILE"}},
		{"empty", strings.NewReader(""), []string{"the file is empty", "plan -out FILE"}},
		{"not JSON", strings.NewReader("hello"), []string{"not a trustform plan", "at byte 1", "plan -out FILE"}},
		{"nested deeper than encoding/json reads", strings.NewReader(`{"changes":` + strings.Repeat("[", 20000)), []string{"not a trustform plan", "plan -out FILE"}},
		{"larger than MaxSize", io.MultiReader(strings.NewReader(`{"version":"`), &endless{}), []string{"larger than 256 MiB"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(c.r)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// endless is a reader of spaces that never ends, as /dev/zero.
type endless struct{}

func (*endless) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = 'a'
	}
	return len(b), nil
}
