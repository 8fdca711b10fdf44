package access

import (
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
)

// Layers for the tests of decide: each names its policy type in its label,
// which the reasons carry, so a case can say which layer decided.
func stmtReason(effect, label string) Reason {
	return Reason{Effect: effect, Policy: label, Statement: "statement 1", Detail: strings.ToLower(effect) + "s it"}
}

func allowing(label string) *side {
	return &side{scan: scan{allows: []Reason{stmtReason("Allow", label)}, allowBlocks: []condBlock{{}}}, label: label}
}

func denying(label string) *side {
	s := allowing(label)
	s.denies = []Reason{stmtReason("Deny", label)}
	return s
}

func silent(label string) *side { return &side{label: label} }

func levels(s ...*side) []side {
	var out []side
	for _, x := range s {
		out = append(out, *x)
	}
	return out
}

// grant is how an allow of the resource's policy names the caller.
type grant int

const (
	toAccount grant = iota // its account: the caller's own policies decide
	toRole                 // its role's ARN, "*" or NotPrincipal: limited by boundary and session policies
	toItself               // its own user or session ARN
)

// trustIn is a role trust policy in the account that allows with the grants.
func trustIn(account string, grants ...grant) *resourceSide {
	r := &resourceSide{side: *silent("trust policy"), account: account, trust: true}
	for _, g := range grants {
		r.allows = append(r.allows, stmtReason("Allow", "trust policy"))
		r.allowBlocks = append(r.allowBlocks, condBlock{})
		via := viaIdentity
		if g == toAccount {
			via = viaAccount
		}
		r.via = append(r.via, via)
		r.direct = append(r.direct, g == toItself)
	}
	return r
}

func denyingTrust(account string) *resourceSide {
	r := trustIn(account, toItself)
	r.denies = []Reason{stmtReason("Deny", "trust policy")}
	return r
}

// policyOf is another resource's policy (a bucket's, say), in the account.
func policyOf(account string, grants ...grant) *resourceSide {
	r := trustIn(account, grants...)
	r.trust, r.label = false, "bucket policy"
	for i := range r.allows {
		r.allows[i].Policy = "bucket policy"
	}
	return r
}

const (
	callerAcct = "111111111111"
	otherAcct  = "999999999999"
)

// allGuards is every guardrail layer present and allowing, for the cases in
// which another layer must be the one that decides.
func allGuards(l layers) layers {
	l.boundary, l.session = allowing("permissions boundary"), allowing("session policy")
	l.scps = levels(allowing("SCPs of root"), allowing("SCPs of OU"))
	l.rcps = levels(allowing("RCPs of root"))
	return l
}

func TestDecideLayers(t *testing.T) {
	id := func() *side { return allowing("identity-based policies") }
	noID := func() *side { return silent("identity-based policies") }
	tests := []struct {
		name     string
		layers   layers
		decision string
		by       string // the Policy of the first reason
		detail   string // in the first reason's detail
	}{
		{name: "an identity allow decides a request no resource policy governs",
			layers: layers{identity: id()}, decision: DecisionAllow, by: "identity-based policies"},
		{name: "no identity allow is an implicit deny",
			layers: layers{identity: noID()}, decision: DecisionImplicitDeny, by: "identity-based policies", detail: "so it is implicitly denied"},

		// An explicit deny wins in every layer, whatever the others allow.
		{name: "explicit deny wins: identity-based policies",
			layers:   allGuards(layers{identity: denying("identity-based policies"), resource: trustIn(otherAcct, toAccount)}),
			decision: DecisionExplicitDeny, by: "identity-based policies"},
		{name: "explicit deny wins: trust policy",
			layers:   allGuards(layers{identity: id(), resource: denyingTrust(callerAcct)}),
			decision: DecisionExplicitDeny, by: "trust policy"},
		{name: "explicit deny wins: another resource's policy",
			layers: func() layers {
				r := policyOf(callerAcct, toItself)
				r.denies = []Reason{stmtReason("Deny", "bucket policy")}
				return allGuards(layers{identity: id(), resource: r})
			}(),
			decision: DecisionExplicitDeny, by: "bucket policy"},
		{name: "explicit deny wins: permissions boundary",
			layers: func() layers {
				l := allGuards(layers{identity: id(), resource: trustIn(otherAcct, toAccount)})
				l.boundary = denying("permissions boundary")
				return l
			}(),
			decision: DecisionExplicitDeny, by: "permissions boundary"},
		{name: "explicit deny wins: session policy",
			layers: func() layers {
				l := allGuards(layers{identity: id(), resource: trustIn(callerAcct, toItself)})
				l.session = denying("session policy")
				return l
			}(),
			decision: DecisionExplicitDeny, by: "session policy"},
		{name: "explicit deny wins: an SCP at any level",
			layers: func() layers {
				l := allGuards(layers{identity: id(), resource: trustIn(otherAcct, toAccount)})
				l.scps = levels(allowing("SCPs of root"), denying("SCPs of OU"))
				return l
			}(),
			decision: DecisionExplicitDeny, by: "SCPs of OU"},
		{name: "explicit deny wins: an RCP",
			layers: func() layers {
				l := allGuards(layers{identity: id(), resource: trustIn(otherAcct, toAccount)})
				l.rcps = levels(denying("RCPs of root"))
				return l
			}(),
			decision: DecisionExplicitDeny, by: "RCPs of root"},
		{name: "explicit deny wins: the deny of an outsider's trust policy",
			layers:   layers{resource: denyingTrust(otherAcct)},
			decision: DecisionExplicitDeny, by: "trust policy"},

		// A slot left empty is not consulted; one given must allow.
		{name: "empty slots are not consulted: identity and trust decide",
			layers:   layers{identity: id(), resource: trustIn(otherAcct, toAccount)},
			decision: DecisionAllow, by: "trust policy"},
		{name: "every guardrail present and allowing changes nothing",
			layers:   allGuards(layers{identity: id(), resource: trustIn(otherAcct, toAccount)}),
			decision: DecisionAllow, by: "trust policy"},
		{name: "a permissions boundary given without an allow denies",
			layers: func() layers {
				l := allGuards(layers{identity: id(), resource: trustIn(otherAcct, toAccount)})
				l.boundary = silent("permissions boundary")
				return l
			}(),
			decision: DecisionImplicitDeny, by: "permissions boundary", detail: "sets the most"},
		{name: "a session policy given without an allow denies",
			layers: func() layers {
				l := allGuards(layers{identity: id()})
				l.session = silent("session policy")
				return l
			}(),
			decision: DecisionImplicitDeny, by: "session policy"},
		{name: "every SCP level must allow: one without an allow denies",
			layers: func() layers {
				l := allGuards(layers{identity: id(), resource: trustIn(otherAcct, toAccount)})
				l.scps = levels(allowing("SCPs of root"), silent("SCPs of OU"))
				return l
			}(),
			decision: DecisionImplicitDeny, by: "SCPs of OU", detail: "every level from the root"},
		{name: "RCPs are read before SCPs, as AWS's flow does",
			layers: func() layers {
				l := allGuards(layers{identity: id(), resource: trustIn(otherAcct, toAccount)})
				l.scps, l.rcps = levels(silent("SCPs of root")), levels(silent("RCPs of root"))
				return l
			}(),
			decision: DecisionImplicitDeny, by: "RCPs of root"},

		// Across accounts both sides must allow.
		{name: "cross-account: the trust policy allows, the caller's policies do not",
			layers:   layers{identity: noID(), resource: trustIn(otherAcct, toItself)},
			decision: DecisionImplicitDeny, by: "identity-based policies", detail: "a cross-account request needs an allow in the trust policy and in the caller's own policies"},
		{name: "cross-account: the caller's policies allow, the trust policy does not",
			layers:   layers{identity: id(), resource: trustIn(otherAcct)},
			decision: DecisionImplicitDeny, by: "trust policy", detail: "no statement allows"},
		{name: "cross-account: both allow",
			layers:   layers{identity: id(), resource: trustIn(otherAcct, toItself)},
			decision: DecisionAllow, by: "trust policy"},
		{name: "cross-account: a grant to the user itself is still limited by its boundary",
			layers:   layers{identity: id(), resource: trustIn(otherAcct, toItself), boundary: silent("permissions boundary")},
			decision: DecisionImplicitDeny, by: "permissions boundary"},
		{name: "cross-account: another resource's policy must allow too",
			layers:   layers{identity: id(), resource: policyOf(otherAcct)},
			decision: DecisionImplicitDeny, by: "bucket policy", detail: "a cross-account request needs an allow in the resource's policy"},

		// Within the role's account.
		{name: "same account: a trust policy naming the caller suffices alone",
			layers:   layers{identity: noID(), resource: trustIn(callerAcct, toRole)},
			decision: DecisionAllow, by: "trust policy", detail: "suffices without an identity-based allow"},
		{name: "same account: a trust policy naming only the account leaves it to the caller's policies",
			layers:   layers{identity: noID(), resource: trustIn(callerAcct, toAccount)},
			decision: DecisionImplicitDeny, by: "identity-based policies", detail: "names only the account"},
		{name: "same account: naming the account, the caller's policies allow",
			layers:   layers{identity: id(), resource: trustIn(callerAcct, toAccount)},
			decision: DecisionAllow, by: "trust policy"},
		{name: "same account: a grant to the user's own ARN is not limited by its boundary",
			layers:   layers{identity: noID(), resource: trustIn(callerAcct, toItself), boundary: silent("permissions boundary")},
			decision: DecisionAllow, by: "trust policy"},
		{name: "same account: a grant to the session's own ARN is not limited by its session policy",
			layers:   layers{identity: noID(), resource: trustIn(callerAcct, toItself), session: silent("session policy")},
			decision: DecisionAllow, by: "trust policy"},
		{name: "same account: a grant to the role's ARN is limited by a boundary",
			layers:   layers{identity: id(), resource: trustIn(callerAcct, toRole), boundary: silent("permissions boundary")},
			decision: DecisionImplicitDeny, by: "permissions boundary"},
		{name: "same account: a grant to the role's ARN is limited by a session policy",
			layers:   layers{identity: id(), resource: trustIn(callerAcct, toRole), session: silent("session policy")},
			decision: DecisionImplicitDeny, by: "session policy"},
		{name: "same account: a grant to the role's ARN stands when the guardrails allow",
			layers:   allGuards(layers{identity: noID(), resource: trustIn(callerAcct, toRole)}),
			decision: DecisionAllow, by: "trust policy", detail: "suffices"},
		{name: "same account: another resource's policy naming the user suffices alone",
			layers:   layers{identity: noID(), resource: policyOf(callerAcct, toItself)},
			decision: DecisionAllow, by: "bucket policy", detail: "within the resource's own account"},
		{name: "same account: another resource's policy that allows nothing leaves it to the caller's policies",
			layers:   layers{identity: id(), resource: policyOf(callerAcct)},
			decision: DecisionAllow, by: "identity-based policies"},

		// Principals outside the state have no identity layer.
		{name: "outsider: the trust policy decides alone",
			layers:   layers{resource: trustIn(otherAcct, toItself)},
			decision: DecisionAllow, by: "trust policy"},
		{name: "outsider: no trust allow",
			layers:   layers{resource: trustIn(otherAcct)},
			decision: DecisionImplicitDeny, by: "trust policy"},
		{name: "no layer that could allow",
			layers:   layers{},
			decision: DecisionImplicitDeny, by: "policies of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := question{action: "sts:AssumeRole", resource: "arn:aws:iam::" + otherAcct + ":role/R", who: `user "U" in ` + callerAcct, account: callerAcct}
			res := decide(q, tt.layers)
			if res.Decision != tt.decision || res.Allowed != (tt.decision == DecisionAllow) {
				t.Fatalf("decision %q (allowed %v), want %q: %v", res.Decision, res.Allowed, tt.decision, res.Reasons)
			}
			if len(res.Reasons) == 0 {
				t.Fatal("no reasons")
			}
			if first := res.Reasons[0]; !strings.HasPrefix(first.Policy, tt.by) || !strings.Contains(first.Detail, tt.detail) {
				t.Errorf("first reason %q, want one of %q containing %q; all: %v", first, tt.by, tt.detail, res.Reasons)
			}
			if res.Allowed != (res.basis != nil) {
				t.Errorf("allowed %v with basis %v: an allow says what it rested on, a deny nothing", res.Allowed, res.basis)
			}
		})
	}
}

// TestCaveatsFollowInputs checks that the caveats of the optional inputs
// are those of the inputs not read: every one when none is given (the
// words every answer has carried), none of a slot given and read, and
// still that of a slot given that the evaluator cannot read yet.
func TestCaveatsFollowInputs(t *testing.T) {
	all := notRead(Inputs{}, slots)
	want := []string{
		"AWS Organizations SCPs (and RCPs) are not evaluated: they can deny what these policies allow",
		"session policies are not evaluated: a session's policy can only narrow what its role allows",
		"resource-based policies other than role trust policies (bucket, key, queue policies...) are not evaluated",
	}
	if !slices.Equal(all, want) {
		t.Fatalf("with no optional input: %q, want %q", all, want)
	}
	res := New(Inputs{}).Evaluate(Request{Principal: "arn:aws:iam::111111111111:user/Nobody", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"})
	if !slices.Equal(res.Caveats[:len(want)], want) {
		t.Errorf("an answer's caveats start %q, want %q", res.Caveats, want)
	}

	give := []struct {
		slot string
		set  func(*Inputs)
	}{
		{"Organization", func(in *Inputs) { in.State = &model.State{Organization: &model.Organization{}} }},
		{"SessionPolicies", func(in *Inputs) { in.SessionPolicies = map[string][]string{} }},
		{"ResourcePolicies", func(in *Inputs) { in.ResourcePolicies = map[string]ResourcePolicy{} }},
	}
	if len(give) != len(slots) {
		t.Fatalf("%d slots, %d given here: a new slot needs its case", len(slots), len(give))
	}
	for i, g := range give {
		t.Run(g.slot, func(t *testing.T) {
			var in Inputs
			g.set(&in)
			if !slots[i].given(in) {
				t.Fatalf("slot %d does not see %s given", i, g.slot)
			}
			read, unread := slices.Clone(slots), slices.Clone(slots)
			for j := range read {
				read[j].read, unread[j].read = true, false
			}
			wantRead := slices.Delete(slices.Clone(want), i, i+1)
			if got := notRead(in, read); !slices.Equal(got, wantRead) {
				t.Errorf("%s given and read: %q, want %q", g.slot, got, wantRead)
			}
			if got := notRead(in, unread); !slices.Equal(got, want) {
				t.Errorf("%s given but not read yet: %q, want all of %q", g.slot, got, want)
			}
			if got := notRead(Inputs{}, read); !slices.Equal(got, want) {
				t.Errorf("nothing given, every slot readable: %q, want all of %q", got, want)
			}
		})
	}
}

// TestNamesItself checks which grants of a trust policy name the caller's
// own user or session ARN, the grants no boundary or session policy limits
// within the account.
func TestNamesItself(t *testing.T) {
	const (
		user    = "arn:aws:iam::111111111111:user/U"
		role    = "arn:aws:iam::111111111111:role/R"
		session = "arn:aws:sts::111111111111:assumed-role/R/s"
	)
	asUser := &caller{kind: kindUser, arn: user, account: callerAcct}
	asSession := &caller{kind: kindSession, arn: session, roleARN: role, account: callerAcct}
	asRole := &caller{kind: kindRole, arn: role, roleARN: role, account: callerAcct}
	aws := func(v ...string) map[string][]string { return map[string][]string{"AWS": v} }
	tests := []struct {
		name  string
		c     *caller
		names map[string][]string
		want  bool
	}{
		{"the user's ARN", asUser, aws(user), true},
		{"the session's ARN", asSession, aws(session), true},
		{"the role's ARN, for one of its sessions", asSession, aws(role), false},
		{"the role's ARN, for a role given as the caller", asRole, aws(role), false},
		{"the account", asUser, aws(callerAcct), false},
		{`"*"`, asUser, map[string][]string{"*": nil}, false},
		{"the user's ARN among others", asUser, aws(role, user), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.namesItself(tt.names); got != tt.want {
				t.Errorf("namesItself(%v) = %v, want %v", tt.names, got, tt.want)
			}
		})
	}
}
