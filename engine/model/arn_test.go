package model

import (
	"strings"
	"testing"
)

func TestParseARN(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     ARN
		ok       bool
	}{
		{"iam role", "arn:aws:iam::111111111111:role/ci/Deploy", ARN{"aws", "iam", "", "111111111111", "role/ci/Deploy"}, true},
		{"s3 object: no region, no account", "arn:aws:s3:::bucket/key", ARN{"aws", "s3", "", "", "bucket/key"}, true},
		{"colons in the resource", "arn:aws:logs:eu-west-1:111111111111:log-group:app:*", ARN{"aws", "logs", "eu-west-1", "111111111111", "log-group:app:*"}, true},
		{"pattern", "arn:*:iam::*:role/*", ARN{"*", "iam", "", "*", "role/*"}, true},
		{"other partition", "arn:aws-cn:sts::111111111111:assumed-role/R/s", ARN{"aws-cn", "sts", "", "111111111111", "assumed-role/R/s"}, true},
		{"five fields", "arn:aws:iam::111111111111", ARN{}, false},
		{"not arn", "urn:aws:iam::111111111111:root", ARN{}, false},
		{"account id", "111111111111", ARN{}, false},
		{"empty", "", ARN{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseARN(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Fatalf("ParseARN(%q) = %+v, %v; want %+v, ok %v", tc.in, got, err, tc.want, tc.ok)
			}
			if tc.ok && got.String() != tc.in {
				t.Errorf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

func TestParsePrincipal(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Principal
		label    string
	}{
		{"root", "arn:aws:iam::111111111111:root", Principal{Kind: PrincipalRoot, Partition: "aws", Account: "111111111111"},
			"anyone in account 111111111111 allowed by its own policies"},
		{"user", "arn:aws:iam::111111111111:user/David", Principal{Kind: PrincipalUser, Partition: "aws", Account: "111111111111", Path: "/", Name: "David"},
			`user "David" in 111111111111`},
		{"role with a path", "arn:aws-us-gov:iam::999999999999:role/ci/web/Deployer",
			Principal{Kind: PrincipalRole, Partition: "aws-us-gov", Account: "999999999999", Path: "/ci/web/", Name: "Deployer"},
			`role "Deployer" in 999999999999`},
		{"group", "arn:aws:iam::111111111111:group/Developers", Principal{Kind: PrincipalGroup, Partition: "aws", Account: "111111111111", Path: "/", Name: "Developers"},
			`group "Developers" in 111111111111`},
		{"session", "arn:aws:sts::222222222222:assumed-role/Vendor/scan",
			Principal{Kind: PrincipalAssumedRole, Partition: "aws", Account: "222222222222", Name: "Vendor", Session: "scan"},
			`session "scan" of role "Vendor" in 222222222222`},
		{"federated user", "arn:aws:sts::222222222222:federated-user/Bob",
			Principal{Kind: PrincipalFederatedUser, Partition: "aws", Account: "222222222222", Name: "Bob"},
			`federated user "Bob" in 222222222222`},
		{"OIDC provider with a path in its URL", "arn:aws:iam::999999999999:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE",
			Principal{Kind: PrincipalOIDCProvider, Partition: "aws", Account: "999999999999", Name: "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"},
			"federated provider oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE (OIDC) in 999999999999"},
		{"SAML provider", "arn:aws:iam::999999999999:saml-provider/Okta",
			Principal{Kind: PrincipalSAMLProvider, Partition: "aws", Account: "999999999999", Name: "Okta"},
			`federated provider "Okta" (SAML) in 999999999999`},
		{"wildcards pass: the form is checked, not the values", "arn:aws:iam::*:role/*",
			Principal{Kind: PrincipalRole, Partition: "aws", Account: "*", Path: "/", Name: "*"}, `role "*" in *`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePrincipal(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("ParsePrincipal(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
			if got.ARN() != tc.in || got.String() != tc.in {
				t.Errorf("ARN() = %q, String() = %q; want %q", got.ARN(), got.String(), tc.in)
			}
			if got.Label() != tc.label {
				t.Errorf("Label() = %q, want %q", got.Label(), tc.label)
			}
		})
	}
}

func TestParsePrincipalRefuses(t *testing.T) {
	for _, in := range []string{
		"111111111111",        // an account id is a policy's shorthand, not an ARN
		"arn:aws:s3:::bucket", // not IAM or STS
		"arn:aws:iam:us-east-1:111111111111:role/R", // IAM ARNs have no region
		"arn:aws:iam:::role/R",                      // nor no account
		"arn::iam::111111111111:role/R",             // nor no partition
		"arn:aws:iam::111111111111:role/",           // a role needs a name
		"arn:aws:iam::111111111111:role/ci/",        // even under a path
		"arn:aws:iam::111111111111:policy/P",        // a policy is not a principal
		"arn:aws:sts::111111111111:assumed-role/R",  // a session needs its name
		"arn:aws:sts::111111111111:assumed-role//s", // and its role's
		"arn:aws:sts::111111111111:federated-user/", // a federated user needs a name
		"arn:aws:iam::111111111111:oidc-provider/",  // a provider its URL
		"arn:aws:iam::111111111111:mfa/David",       // an MFA device is no principal
		"arn:aws:iam::111111111111:rootish",         // nor is this
	} {
		if p, err := ParsePrincipal(in); err == nil {
			t.Errorf("ParsePrincipal(%q) = %+v, want an error", in, p)
		}
	}
}

func TestPrincipalNamedOtherwise(t *testing.T) {
	for _, tc := range []struct {
		p           Principal
		text, label string
	}{
		{Principal{Kind: PrincipalAnyone}, "*", `anyone (Principal "*")`},
		{Principal{Kind: PrincipalService, Name: "ec2.amazonaws.com"}, "ec2.amazonaws.com", "service ec2.amazonaws.com"},
		{Principal{Kind: PrincipalWebIdentity, Name: "accounts.google.com"}, "accounts.google.com", "federated provider accounts.google.com"},
	} {
		if tc.p.ARN() != "" || tc.p.String() != tc.text || tc.p.Label() != tc.label {
			t.Errorf("%+v: ARN() %q, String() %q, Label() %q; want \"\", %q, %q", tc.p, tc.p.ARN(), tc.p.String(), tc.p.Label(), tc.text, tc.label)
		}
	}
}

func TestPrincipalRole(t *testing.T) {
	s, _ := ParsePrincipal("arn:aws:sts::222222222222:assumed-role/Vendor/scan")
	if got := s.Role().ARN(); got != "arn:aws:iam::222222222222:role/Vendor" {
		t.Errorf("session's role = %q", got)
	}
	u, _ := ParsePrincipal("arn:aws:iam::222222222222:user/eng/Bob")
	if u.Role() != u {
		t.Errorf("a user's Role() changed it: %+v", u.Role())
	}
}

func TestRootAccount(t *testing.T) {
	for in, want := range map[string]string{
		"arn:aws:iam::111111111111:root":    "111111111111",
		"arn:aws-cn:iam::222222222222:root": "222222222222",
		"arn:aws:iam::111111111111:role/R":  "",
		"arn:aws:sts::111111111111:root":    "",
		"111111111111":                      "",
	} {
		got, ok := RootAccount(in)
		if got != want || ok != (want != "") {
			t.Errorf("RootAccount(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestARNKey(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Key
		ok   bool
	}{
		{"arn:aws:iam::111111111111:role/ci/Deploy", PrincipalKey("111111111111", KindRole, "Deploy"), true},
		{"arn:aws:iam::111111111111:user/David", PrincipalKey("111111111111", KindUser, "David"), true},
		{"arn:aws:iam::111111111111:group/eng/Developers", PrincipalKey("111111111111", KindGroup, "Developers"), true},
		{"arn:aws:iam::111111111111:policy/team/Read", PolicyKey("111111111111", "Read"), true},
		{"arn:aws:sts::111111111111:assumed-role/Deploy/ci", PrincipalKey("111111111111", KindRole, "Deploy"), true},
		{"arn:aws:iam::aws:policy/ReadOnlyAccess", Key{}, false},
		{"arn:aws:iam::111111111111:root", Key{}, false},
		{"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com", Key{}, false},
		{"arn:aws:s3:::bucket/policy/x", Key{}, false},
		{"Deploy", Key{}, false},
	} {
		got, ok := ARNKey(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ARNKey(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzParseARN checks that reading an ARN never panics and loses nothing:
// what parses writes back as it was read, as an ARN and as a principal.
func FuzzParseARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:iam::111111111111:role/ci/Deploy", "arn:aws:sts::1:assumed-role/R/s/x", "arn:aws:s3:::b/k",
		"arn:aws:iam::1:root", "arn:aws:iam::1:oidc-provider/h/id/X", "arn:::::", "arn:a:iam::1:user//x", "x:y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseARN(s)
		if err != nil {
			if strings.Count(s, ":") >= 5 && strings.HasPrefix(s, "arn:") {
				t.Fatalf("ParseARN(%q) refused a six-field ARN: %v", s, err)
			}
			return
		}
		if a.String() != s {
			t.Fatalf("ParseARN(%q).String() = %q", s, a.String())
		}
		p, err := ParsePrincipal(s)
		if err != nil {
			return
		}
		if p.ARN() != s {
			t.Fatalf("ParsePrincipal(%q).ARN() = %q", s, p.ARN())
		}
		_ = p.Label()
		if _, ok := p.ObjectKind(); ok {
			if _, ok := ARNKey(s); !ok && p.Account != "aws" {
				t.Fatalf("ARNKey(%q) refused a %s", s, p.Kind)
			}
		}
	})
}
