package planfile

import (
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
)

func TestDifferences(t *testing.T) {
	p, cfg := samplePlan()
	fresh := FromPlan(p, cfg, Target{Kind: "local", StackDir: "/stack"}, "test").Changes
	copyOf := func() []Change { return append([]Change(nil), fresh...) }
	tests := []struct {
		name   string
		saved  func() []Change
		want   []string // one line each, in order
		noDiff bool
	}{
		{"the same", copyOf, nil, true},
		{"an object changed", func() []Change {
			c := copyOf()
			r := *c[0].After.Role
			r.TrustPolicy = strings.Replace(r.TrustPolicy, "111111111111", "222222222222", 1)
			c[0].After = &Object{Role: &r}
			return c
		}, []string{`the saved plan's change 0, create role "R" (role.r) in prod (999999999999), is not a change`, `a fresh plan also makes change 0, create role "R"`}, false},
		{"an action changed", func() []Change {
			c := copyOf()
			c[1].Action = string(model.Delete)
			return c
		}, []string{`the saved plan's change 1, delete inline policy`, `a fresh plan also makes change 1, create inline policy`}, false},
		{"a change dropped", func() []Change { return copyOf()[:1] }, []string{`a fresh plan also makes change 1`}, false},
		{"a change added", func() []Change {
			c := copyOf()
			extra := c[0]
			extra.Index, extra.Key = 2, Key{Account: "999999999999", Kind: string(model.KindRole), ID: model.NameKey("Other")}
			return append(c, extra)
		}, []string{`the saved plan's change 2`}, false},
		{"another order", func() []Change {
			c := copyOf()
			c[0].DependsOn = []int{}
			c[1].DependsOn = []int{}
			return c
		}, []string{`the saved plan's change 1, create inline policy`}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Differences(tt.saved(), fresh)
			if tt.noDiff != (got == nil) || len(got) != len(tt.want) {
				t.Fatalf("differences %q, want %d like %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("difference %d is %q, want it to hold %q", i, got[i], w)
				}
			}
		})
	}
}
