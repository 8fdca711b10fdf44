package access_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/access"
)

func TestEvaluateAPI(t *testing.T) {
	tests := []struct {
		name     string
		req      access.Request
		resolver bool
		decision string
		reason   string // in some reason
		caveat   string // in some caveat
	}{
		{
			name:     "CanAssume's request: David",
			req:      access.Request{Principal: david, Action: "sts:AssumeRole", Resource: updateApp},
			resolver: true, decision: access.DecisionAllow, reason: `group "Developers"`,
		},
		{
			name:     "the action's case does not matter to the trust policy either",
			req:      access.Request{Principal: david, Action: "STS:ASSUMEROLE", Resource: updateApp},
			resolver: true, decision: access.DecisionAllow,
		},
		{
			name:     "a role name in other case names the same role",
			req:      access.Request{Principal: david, Action: "sts:AssumeRole", Resource: "arn:aws:iam::999999999999:role/updateapp"},
			resolver: true, decision: access.DecisionAllow, reason: `trust policy of role "UpdateApp"`,
		},
		{
			name:     "without AWS managed documents, Quinn's PowerUserAccess is a caveat",
			req:      access.Request{Principal: quinn, Action: "sts:AssumeRole", Resource: updateApp},
			decision: access.DecisionImplicitDeny, caveat: "AWS managed policy PowerUserAccess attached to group \"QA\" in 111111111111 was not evaluated",
		},
		{
			name:     "a principal that is not an ARN",
			req:      access.Request{Principal: "David", Action: "sts:AssumeRole", Resource: updateApp},
			resolver: true, decision: access.DecisionImplicitDeny, reason: `"David" is not an ARN`,
		},
		// David's PowerUserAccess allows sts:AssumeRole on "*": a resource in
		// the form of a role's ARN must still go through a trust policy, a
		// malformed one included, or "*" would allow a role no one has.
		{
			name:     "a role ARN with a region goes through a trust policy",
			req:      access.Request{Principal: david, Action: "sts:AssumeRole", Resource: "arn:aws:iam:us-east-1:999999999999:role/UpdateApp"},
			resolver: true, decision: access.DecisionImplicitDeny, reason: "so no trust policy can allow",
		},
		{
			name:     "a role ARN without an account",
			req:      access.Request{Principal: david, Action: "sts:AssumeRole", Resource: "arn:aws:iam:::role/UpdateApp"},
			resolver: true, decision: access.DecisionImplicitDeny, reason: "so no trust policy can allow",
		},
		{
			name:     "a role ARN without a name",
			req:      access.Request{Principal: david, Action: "sts:AssumeRole", Resource: "arn:aws:iam::999999999999:role/"},
			resolver: true, decision: access.DecisionImplicitDeny, reason: "so no trust policy can allow",
		},
		{
			name:     "a role ARN without a partition",
			req:      access.Request{Principal: david, Action: "sts:AssumeRole", Resource: "arn::iam::999999999999:role/UpdateApp"},
			resolver: true, decision: access.DecisionImplicitDeny, reason: "so no trust policy can allow",
		},
		{
			name:     "GetCallerIdentity needs no permission: Nora, whom no policy allows anything",
			req:      access.Request{Principal: nora, Action: "sts:GetCallerIdentity", Resource: "*"},
			resolver: true, decision: access.DecisionAllow, reason: "needs no permission",
		},
		{
			name:     "GetCallerIdentity in any case",
			req:      access.Request{Principal: nora, Action: "STS:getcalleridentity", Resource: "*"},
			resolver: true, decision: access.DecisionAllow, reason: "needs no permission",
		},
		{
			name:     "a user ARN with the wrong path",
			req:      access.Request{Principal: "arn:aws:iam::111111111111:user/eng/David", Action: "sts:AssumeRole", Resource: updateApp},
			resolver: true, decision: access.DecisionImplicitDeny, reason: `user "David" in 111111111111 has path /, not /eng/`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var resolve func(string) (string, bool)
			if tt.resolver {
				resolve = resolveAWSManaged(t)
			}
			res := access.New(access.Inputs{State: tutorialState(t), Policies: resolve}).Evaluate(tt.req)
			if res.Decision != tt.decision || res.Allowed != (tt.decision == access.DecisionAllow) {
				t.Fatalf("decision %q (allowed %v), want %q; reasons %v", res.Decision, res.Allowed, tt.decision, res.Reasons)
			}
			if tt.reason != "" && !anyContains(reasonStrings(res), tt.reason) {
				t.Errorf("no reason contains %q: %v", tt.reason, res.Reasons)
			}
			if tt.caveat != "" && !anyContains(res.Caveats, tt.caveat) {
				t.Errorf("no caveat contains %q: %q", tt.caveat, res.Caveats)
			}
		})
	}
}

// TestGivenContextWins checks that keys the caller gives, in any case,
// replace those the evaluator would derive.
func TestGivenContextWins(t *testing.T) {
	s := model.NewState()
	a := s.Account(dev, "")
	a.Users["ann"] = &model.User{Name: "Ann", Path: "/", InlinePolicies: map[string]string{
		"home": `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}}`}}
	ev := access.New(access.Inputs{State: s})
	ann := model.UserARN("aws", dev, "/", "Ann")
	tests := []struct {
		name     string
		resource string
		context  map[string][]string
		allowed  bool
	}{
		{"derived username", "arn:aws:s3:::home/Ann/x", nil, true},
		{"given username replaces it", "arn:aws:s3:::home/Bob/x", map[string][]string{"AWS:USERNAME": {"Bob"}}, true},
		{"and the derived one is gone", "arn:aws:s3:::home/Ann/x", map[string][]string{"aws:UserName": {"Bob"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The bucket is Ann's account's: an S3 ARN names no account.
			ctx := map[string][]string{"aws:ResourceAccount": {dev}}
			for k, v := range tt.context {
				ctx[k] = v
			}
			res := ev.Evaluate(access.Request{Principal: ann, Action: "s3:GetObject", Resource: tt.resource, Context: ctx})
			if res.Allowed != tt.allowed {
				t.Errorf("allowed %v, want %v: %v", res.Allowed, tt.allowed, res.Reasons)
			}
		})
	}
}

func TestCanAssumeIsEvaluate(t *testing.T) {
	ev := access.New(access.Inputs{State: tutorialState(t), Policies: resolveAWSManaged(t)})
	for _, p := range []string{david, tess, quinn, nora} {
		t.Run(p, func(t *testing.T) {
			a := ev.CanAssume(p, updateApp, nil)
			b := ev.Evaluate(access.Request{Principal: p, Action: "sts:AssumeRole", Resource: updateApp})
			if a.Decision != b.Decision || len(a.Reasons) != len(b.Reasons) {
				t.Errorf("CanAssume %+v, Evaluate %+v", a, b)
			}
		})
	}
}

// TestConcurrentUse runs evaluations in parallel, for the race detector.
func TestConcurrentUse(t *testing.T) {
	ev := access.New(access.Inputs{State: tutorialState(t), Policies: resolveAWSManaged(t)})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			ev.CanAssume(david, updateApp, nil)
			ev.WhoCanAssume(updateApp)
		})
	}
	wg.Wait()
}

func TestLoadCaseErrors(t *testing.T) {
	valid := `{"name": "n", "cites": "c", "state": {"accounts": {}},
		"request": {"principal": "p", "action": "a", "resource": "r"}, "want": {"allowed": false, "decision": "implicit deny"}}`
	tests := []struct {
		name, text, err string
	}{
		{"one case", valid, ""},
		{"a list", "[" + valid + "]", ""},
		{"unknown field", strings.Replace(valid, `"cites"`, `"cite"`, 1), "unknown field"},
		{"no cites", strings.Replace(valid, `"cites": "c"`, `"cites": ""`, 1), "no cites"},
		{"bad decision", strings.Replace(valid, `"implicit deny"`, `"deny"`, 1), "is not allow"},
		{"allowed disagrees", strings.Replace(valid, `"allowed": false`, `"allowed": true`, 1), "disagrees"},
		{"duplicate names", "[" + valid + "," + valid + "]", "used twice"},
		{"role without trust", strings.Replace(valid, `"accounts": {}`, `"accounts": {"1": {"roles": {"R": {}}}}`, 1), "no trust policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "case.json")
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := access.LoadCase(path)
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("error %v, want one containing %q", err, tt.err)
			}
		})
	}
}

func TestCaseState(t *testing.T) {
	s := tutorialState(t)
	tests := []struct {
		name string
		ok   bool
	}{
		{"roles keyed by name key, path defaulted", s.Accounts[prod].Roles["updateapp"] != nil && s.Accounts[prod].Roles["updateapp"].Path == "/"},
		{"partition defaulted", s.Accounts[dev].Partition == "aws"},
		{"memberships kept", len(s.Accounts[dev].Users["david"].Groups) == 1},
		{"documents as compact JSON", strings.HasPrefix(s.Accounts[prod].Roles["updateapp"].TrustPolicy, `{"Version":"2012-10-17"`)},
		{"customer managed policy", s.Accounts[prod].Policies["read-write-app-bucket"] != nil},
		{"attachments are ARNs", len(s.Accounts[prod].Roles["updateapp"].AttachedPolicies) == 1 &&
			s.Accounts[prod].Roles["updateapp"].AttachedPolicies[0] == model.PolicyARN("aws", prod, "/", "read-write-app-bucket")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Fail()
			}
		})
	}
}

func reasonStrings(r access.Result) []string {
	out := make([]string, len(r.Reasons))
	for i, x := range r.Reasons {
		out[i] = x.String()
	}
	return out
}

func anyContains(list []string, s string) bool {
	for _, x := range list {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}
