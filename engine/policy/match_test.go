package policy

import "testing"

// The evaluator's tests (engine/access, match_test.go) cover the matcher in
// depth; these pin what lint and the views ask of it.
func TestMatchAction(t *testing.T) {
	for _, tc := range []struct {
		pattern, action string
		want            bool
	}{
		{"sts:AssumeRole", "sts:AssumeRole", true},
		{"STS:assumeROLE", "sts:AssumeRole", true},
		{"sts:Assume*", "sts:AssumeRoleWithWebIdentity", true},
		{"sts:AssumeRole", "sts:AssumeRoleWithSAML", false},
		{"sts:AssumeRole?", "sts:AssumeRole", false},
		{"sts:*", "sts:TagSession", true},
		{"*", "sts:SetSourceIdentity", true},
		{"s*:*Role", "sts:AssumeRole", true},
		{"sts:[A]ssumeRole", "sts:AssumeRole", false}, // no character classes in IAM
	} {
		if got := MatchAction(tc.pattern, tc.action); got != tc.want {
			t.Errorf("MatchAction(%q, %q) = %v, want %v", tc.pattern, tc.action, got, tc.want)
		}
	}
}

func TestMatchResource(t *testing.T) {
	for _, tc := range []struct {
		pattern, resource string
		want              bool
	}{
		{"arn:aws:iam::*:role/deploy/*", "arn:aws:iam::111111111111:role/deploy/ci/App", true},
		{"arn:aws:iam::*:role/Deploy", "arn:aws:iam::111111111111:role/deploy", false},
		{"arn:aws:iam::${aws:PrincipalAccount}:role/*", "arn:aws:iam::${aws:PrincipalAccount}:role/R", true},
	} {
		got, resolved := MatchResource(tc.pattern, tc.resource, nil)
		if got != tc.want || !resolved {
			t.Errorf("MatchResource(%q, %q) = %v, %v; want %v, true", tc.pattern, tc.resource, got, resolved, tc.want)
		}
	}
}
