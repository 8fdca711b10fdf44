package views

import (
	"fmt"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
)

func TestSummary(t *testing.T) {
	tests := []struct {
		name     string
		accounts map[string]int // changes per account: roles to add, then one policy update
		want     string
	}{
		{name: "below the threshold: none", accounts: map[string]int{"a": 10}, want: ""},
		{name: "accounts changed alike share a line; the exception follows", accounts: map[string]int{"a": 20, "b": 20, "c": 20, "d": 20, "e": 1},
			want: "Summary of the 86 changes:\n\n" +
				"  kind                add   change  destroy    adopt\n" +
				"  policy                0        5        0        0\n" +
				"  role                 81        0        0        0\n\n" +
				"  by account (5 accounts changed):\n" +
				"    4 accounts (a, b, c, d): 1 policy to change, 20 roles to add\n" +
				"    e: 1 policy to change, 1 role to add\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &model.Plan{}
			for _, name := range []string{"a", "b", "c", "d", "e"} {
				n, ok := tt.accounts[name]
				if !ok {
					continue
				}
				for i := range n {
					p.Changes = append(p.Changes, &model.Change{Action: model.Create, Kind: model.KindRole, Account: model.AccountRef{Name: name}, Address: fmt.Sprintf("role.%s%d", name, i)})
				}
				p.Changes = append(p.Changes, &model.Change{Action: model.Update, Kind: model.KindPolicy, Account: model.AccountRef{Name: name}})
			}
			var b strings.Builder
			Summary(&b, p, Colors{})
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
}

func TestFindingsBrief(t *testing.T) {
	var findings []model.Finding
	for i := range 30 {
		id, rule := "TF010", "deny-without-effect"
		if i%10 == 0 {
			id, rule = "TF003", "no-mfa"
		}
		findings = append(findings, model.Finding{ID: id, Rule: rule, Severity: "low", Address: fmt.Sprintf("deny.d%d", i), Message: "m", Hint: "h"})
	}
	var b strings.Builder
	FindingsBrief(&b, findings)
	out := b.String()
	if n := strings.Count(out, "  fix: "); n != 6 {
		t.Errorf("%d findings shown, want 3 of each of the 2 rules:\n%s", n, out)
	}
	if !strings.HasSuffix(out, "... and 24 more TF010 deny-without-effect findings\n") || strings.Contains(out, "more TF003") {
		t.Errorf("the count of the rest is wrong:\n%s", out)
	}
	b.Reset()
	FindingsBrief(&b, findings[:findingsShownWhole])
	if n := strings.Count(b.String(), "  fix: "); n != findingsShownWhole {
		t.Errorf("a few findings are not all shown: %d of %d", n, findingsShownWhole)
	}
}
