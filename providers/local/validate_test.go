package local

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
)

// TestIAMErrors: every rule of IAM the simulation enforces, each with the
// code IAM returns. Each case starts from a fresh provider, applies setup,
// and expects the last change to fail without changing state.json.
func TestIAMErrors(t *testing.T) {
	davidARN := "arn:aws:iam::111111111111:user/David"
	g := func(name string) *model.Group { return &model.Group{Name: name} }
	u := func(name string) *model.User { return &model.User{Name: name} }
	pol := func(name, doc string) *model.ManagedPolicy { return &model.ManagedPolicy{Name: name, Document: doc} }
	doc := allow("s3:GetObject", "*")
	tags := func(n int) map[string]string {
		m := map[string]string{}
		for i := range n {
			m["k"+strconv.Itoa(i)] = "v"
		}
		return m
	}
	// Ten customer policies attached to role r, for the eleventh.
	var tenAttached []change
	tenAttached = append(tenAttached, create(prod, model.KindRole, role("r", trust(devRoot))))
	for i := range 10 {
		name := "p" + strconv.Itoa(i)
		tenAttached = append(tenAttached,
			create(prod, model.KindPolicy, pol(name, doc)),
			create(prod, model.KindAttachment, attachment(model.KindRole, "r", "arn:aws:iam::999999999999:policy/"+name)))
	}
	var tenGroups []change
	tenGroups = append(tenGroups, create(dev, model.KindUser, u("David")))
	for i := range 11 {
		name := "g" + strconv.Itoa(i)
		tenGroups = append(tenGroups, create(dev, model.KindGroup, g(name)))
		if i < 10 {
			tenGroups = append(tenGroups, create(dev, model.KindMembership, &model.Membership{User: "David", Group: name}))
		}
	}
	// 70 account roots make a trust policy of about 2,400 characters.
	var manyRoots []string
	for i := range 70 {
		manyRoots = append(manyRoots, "arn:aws:iam::"+strconv.Itoa(200000000000+i)+":root")
	}
	withSession := func(s int) *model.Role { r := role("r", trust(devRoot)); r.MaxSessionDuration = s; return r }
	withPath := func(path string) *model.Role { r := role("r", trust(devRoot)); r.Path = path; return r }
	withTrust := func(doc string) *model.Role { return role("r", doc) }
	trustDoc := func(stmt string) string { return `{"Version":"2012-10-17","Statement":[` + stmt + `]}` }

	tests := []struct {
		name    string
		setup   []change
		c       change
		code    string
		message string // a part of the message, when it matters
	}{
		// names and paths
		{"role name too long", nil, create(prod, model.KindRole, role(strings.Repeat("r", 65), trust(devRoot))), CodeValidationError, "64"},
		{"role name with a space", nil, create(prod, model.KindRole, role("Update App", trust(devRoot))), CodeValidationError, "pattern"},
		{"empty role name", nil, create(prod, model.KindRole, role("", trust(devRoot))), CodeValidationError, ""},
		{"user name too long", nil, create(dev, model.KindUser, u(strings.Repeat("u", 65))), CodeValidationError, "64"},
		{"group name too long", nil, create(dev, model.KindGroup, g(strings.Repeat("g", 129))), CodeValidationError, "128"},
		{"policy name too long", nil, create(prod, model.KindPolicy, pol(strings.Repeat("p", 129), doc)), CodeValidationError, "128"},
		{"inline policy name with a slash", []change{create(dev, model.KindGroup, g("G"))},
			create(dev, model.KindInline, inline(model.KindGroup, "G", "a/b", doc)), CodeValidationError, "pattern"},
		{"path without slashes", nil, create(prod, model.KindRole, withPath("service")), CodeValidationError, "path"},
		{"path with a space", nil, create(prod, model.KindRole, withPath("/my team/")), CodeValidationError, "path"},
		{"path too long", nil, create(prod, model.KindRole, withPath("/"+strings.Repeat("a", 511)+"/")), CodeValidationError, "512"},
		{"user path not closed", nil, create(dev, model.KindUser, &model.User{Name: "u", Path: "/people"}), CodeValidationError, "path"},
		{"description with an emoji", nil, create(prod, model.KindRole, &model.Role{Name: "r", TrustPolicy: trust(devRoot), Description: "ok 🚀"}),
			CodeValidationError, "description"},

		// duplicates, case-insensitively
		{"role exists", []change{create(prod, model.KindRole, role("UpdateApp", trust(devRoot)))},
			create(prod, model.KindRole, role("updateapp", trust(devRoot))), CodeEntityAlreadyExists, "UpdateApp"},
		{"user exists", []change{create(dev, model.KindUser, u("David"))}, create(dev, model.KindUser, u("DAVID")), CodeEntityAlreadyExists, ""},
		{"group exists", []change{create(dev, model.KindGroup, g("Developers"))}, create(dev, model.KindGroup, g("developers")), CodeEntityAlreadyExists, ""},
		{"policy exists", []change{create(prod, model.KindPolicy, pol("rw", doc))}, create(prod, model.KindPolicy, pol("RW", doc)), CodeEntityAlreadyExists, ""},

		// missing objects
		{"update missing role", nil, update(prod, model.KindRole, role("r", trust(devRoot)), withSession(7200)), CodeNoSuchEntity, "r"},
		{"delete missing user", nil, remove(dev, model.KindUser, u("Nobody")), CodeNoSuchEntity, "Nobody"},
		{"delete missing policy", nil, remove(prod, model.KindPolicy, pol("p", doc)), CodeNoSuchEntity, ""},
		{"attach to missing role", nil, create(prod, model.KindAttachment, attachment(model.KindRole, "r", adminARN)), CodeNoSuchEntity, ""},
		{"attach missing customer policy", []change{create(prod, model.KindRole, role("r", trust(devRoot)))},
			create(prod, model.KindAttachment, attachment(model.KindRole, "r", "arn:aws:iam::999999999999:policy/nope")), CodeNoSuchEntity, "nope"},
		{"attach customer policy under the wrong path", []change{create(prod, model.KindRole, role("r", trust(devRoot))), create(prod, model.KindPolicy, pol("p", doc))},
			create(prod, model.KindAttachment, attachment(model.KindRole, "r", "arn:aws:iam::999999999999:policy/team/p")), CodeNoSuchEntity, ""},
		{"attach another account's policy", []change{create(prod, model.KindRole, role("r", trust(devRoot))), create(dev, model.KindPolicy, pol("p", doc))},
			create(prod, model.KindAttachment, attachment(model.KindRole, "r", "arn:aws:iam::111111111111:policy/p")), CodeNoSuchEntity, ""},
		{"attach unknown AWS managed policy", []change{create(prod, model.KindRole, role("r", trust(devRoot)))},
			create(prod, model.KindAttachment, attachment(model.KindRole, "r", "arn:aws:iam::aws:policy/NoSuchAccess")), CodeNoSuchEntity, "knows only"},
		{"attach AWS managed policy of another partition", []change{create(prod, model.KindRole, role("r", trust(devRoot)))},
			create(prod, model.KindAttachment, attachment(model.KindRole, "r", "arn:aws-cn:iam::aws:policy/AdministratorAccess")), CodeNoSuchEntity, ""},
		{"detach what is not attached", []change{create(prod, model.KindRole, role("r", trust(devRoot)))},
			remove(prod, model.KindAttachment, attachment(model.KindRole, "r", adminARN)), CodeNoSuchEntity, "not attached"},
		{"inline policy on missing group", nil, create(dev, model.KindInline, inline(model.KindGroup, "Developers", "x", doc)), CodeNoSuchEntity, "Developers"},
		{"delete missing inline policy", []change{create(dev, model.KindUser, u("David"))},
			remove(dev, model.KindInline, inline(model.KindUser, "David", "x", doc)), CodeNoSuchEntity, ""},
		{"membership of missing group", []change{create(dev, model.KindUser, u("David"))},
			create(dev, model.KindMembership, &model.Membership{User: "David", Group: "Developers"}), CodeNoSuchEntity, "Developers"},
		{"remove a non-member", []change{create(dev, model.KindUser, u("David")), create(dev, model.KindGroup, g("Developers"))},
			remove(dev, model.KindMembership, &model.Membership{User: "David", Group: "Developers"}), CodeNoSuchEntity, ""},

		// refused deletes
		{"delete role with inline policy", []change{create(prod, model.KindRole, role("r", trust(devRoot))),
			create(prod, model.KindInline, inline(model.KindRole, "r", "x", doc))},
			remove(prod, model.KindRole, role("r", trust(devRoot))), CodeDeleteConflict, "inline"},
		{"delete role with attached policy", []change{create(prod, model.KindRole, role("r", trust(devRoot))),
			create(prod, model.KindAttachment, attachment(model.KindRole, "r", adminARN))},
			remove(prod, model.KindRole, role("r", trust(devRoot))), CodeDeleteConflict, "attached"},
		{"delete group with members", []change{create(dev, model.KindUser, u("David")), create(dev, model.KindGroup, g("Developers")),
			create(dev, model.KindMembership, &model.Membership{User: "David", Group: "Developers"})},
			remove(dev, model.KindGroup, g("Developers")), CodeDeleteConflict, "David"},
		{"delete group with policies", []change{create(dev, model.KindGroup, g("Developers")),
			create(dev, model.KindInline, inline(model.KindGroup, "Developers", "x", doc))},
			remove(dev, model.KindGroup, g("Developers")), CodeDeleteConflict, "inline"},
		{"delete user in a group", []change{create(dev, model.KindUser, u("David")), create(dev, model.KindGroup, g("Developers")),
			create(dev, model.KindMembership, &model.Membership{User: "David", Group: "Developers"})},
			remove(dev, model.KindUser, u("David")), CodeDeleteConflict, "Developers"},
		{"delete user with policies", []change{create(dev, model.KindUser, u("David")),
			create(dev, model.KindAttachment, attachment(model.KindUser, "David", adminARN))},
			remove(dev, model.KindUser, u("David")), CodeDeleteConflict, "attached"},
		{"delete attached policy", []change{create(prod, model.KindPolicy, pol("p", doc)), create(prod, model.KindRole, role("r", trust(devRoot))),
			create(prod, model.KindAttachment, attachment(model.KindRole, "r", "arn:aws:iam::999999999999:policy/p"))},
			remove(prod, model.KindPolicy, pol("p", doc)), CodeDeleteConflict, "role r"},

		// quotas
		{"eleventh attached policy", tenAttached,
			create(prod, model.KindAttachment, attachment(model.KindRole, "r", adminARN)), CodeLimitExceeded, "PoliciesPerRole"},
		{"eleventh group of a user", tenGroups,
			create(dev, model.KindMembership, &model.Membership{User: "David", Group: "g10"}), CodeLimitExceeded, "GroupsPerUser"},
		{"trust policy over 2048", nil, create(prod, model.KindRole, withTrust(trust(manyRoots...))), CodeLimitExceeded, "ACLSizePerRole"},
		{"managed policy over 6144", nil, create(prod, model.KindPolicy, pol("p", bigPolicy(6145))), CodeLimitExceeded, "PolicySize"},
		{"managed policy update over 6144", []change{create(prod, model.KindPolicy, pol("p", doc))},
			update(prod, model.KindPolicy, pol("p", doc), pol("p", bigPolicy(6145))), CodeLimitExceeded, "PolicySize"},
		{"role inline policies over 10240 together", []change{create(prod, model.KindRole, role("r", trust(devRoot))),
			create(prod, model.KindInline, inline(model.KindRole, "r", "a", bigPolicy(6000)))},
			create(prod, model.KindInline, inline(model.KindRole, "r", "b", bigPolicy(5000))), CodeLimitExceeded, "10240"},
		{"user inline policies over 2048", []change{create(dev, model.KindUser, u("David"))},
			create(dev, model.KindInline, inline(model.KindUser, "David", "a", bigPolicy(2049))), CodeLimitExceeded, "2048"},
		{"group inline policies over 5120", []change{create(dev, model.KindGroup, g("G")),
			create(dev, model.KindInline, inline(model.KindGroup, "G", "a", bigPolicy(3000)))},
			create(dev, model.KindInline, inline(model.KindGroup, "G", "b", bigPolicy(2200))), CodeLimitExceeded, "5120"},
		{"51 tags", nil, create(prod, model.KindRole, &model.Role{Name: "r", TrustPolicy: trust(devRoot), Tags: tags(51)}), CodeLimitExceeded, "50"},
		{"tagging past 50", []change{create(dev, model.KindUser, &model.User{Name: "u", Tags: tags(50)})},
			update(dev, model.KindUser, &model.User{Name: "u", Tags: tags(50)}, &model.User{Name: "u", Tags: mergeTags(tags(50), "extra")}),
			CodeLimitExceeded, "50"},
		{"reserved tag prefix", nil, create(dev, model.KindUser, &model.User{Name: "u", Tags: map[string]string{"aws:team": "x"}}), CodeInvalidInput, "aws:"},
		{"tag keys differing only in case", nil, create(dev, model.KindUser, &model.User{Name: "u", Tags: map[string]string{"Team": "a", "team": "b"}}),
			CodeInvalidInput, "case-insensitive"},

		// documents
		{"document not JSON", nil, create(prod, model.KindPolicy, pol("p", `{"Version":`)), CodeMalformedPolicyDocument, "Syntax"},
		{"document with an unknown element", nil, create(prod, model.KindPolicy, pol("p", `{"Version":"2012-10-17","Statement":[],"Foo":1}`)),
			CodeMalformedPolicyDocument, ""},
		{"document without statements", nil, create(prod, model.KindPolicy, pol("p", `{"Version":"2012-10-17","Statement":[]}`)),
			CodeMalformedPolicyDocument, ""},
		{"identity policy with a principal", nil, create(prod, model.KindPolicy, pol("p",
			trustDoc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"*"}`))),
			CodeMalformedPolicyDocument, "Policy document should not specify a principal."},
		{"inline policy with a principal", []change{create(dev, model.KindUser, u("David"))}, create(dev, model.KindInline, inline(model.KindUser, "David", "x",
			trustDoc(`{"Effect":"Allow","NotPrincipal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"*"}`))),
			CodeMalformedPolicyDocument, "should not specify a principal"},
		{"identity policy without resources", nil, create(prod, model.KindPolicy, pol("p", trustDoc(`{"Effect":"Allow","Action":"s3:GetObject"}`))),
			CodeMalformedPolicyDocument, "resources"},
		{"action without service prefix", nil, create(prod, model.KindPolicy, pol("p", allow("GetObject", "*"))), CodeMalformedPolicyDocument, "prefix"},
		{"resource that is not an ARN", nil, create(prod, model.KindPolicy, pol("p", allow("s3:GetObject", "productionapp"))), CodeMalformedPolicyDocument, "ARN"},
		{"sid with a dash", nil, create(prod, model.KindPolicy, pol("p", trustDoc(`{"Sid":"read-only","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`))),
			CodeMalformedPolicyDocument, "Sid"},
		{"repeated sid", nil, create(prod, model.KindPolicy, pol("p", trustDoc(`{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},`+
			`{"Sid":"A","Effect":"Deny","Action":"s3:PutObject","Resource":"*"}`))), CodeMalformedPolicyDocument, "unique"},
		{"trust policy without principal", nil, create(prod, model.KindRole, withTrust(trustDoc(`{"Effect":"Allow","Action":"sts:AssumeRole"}`))),
			CodeMalformedPolicyDocument, "Principal"},
		// hostile documents (issue 14): what schema refuses at load time, refused here too
		{"trust policy with only NotPrincipal", nil, create(prod, model.KindRole, withTrust(trustDoc(
			`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}`))), CodeMalformedPolicyDocument, "Principal"},
		{"principal with a wildcard account", nil, create(prod, model.KindRole, withTrust(trust("arn:aws:iam::*:root"))),
			CodeMalformedPolicyDocument, "Invalid principal in policy"},
		{"sid with a space and a bang", nil, create(prod, model.KindPolicy, pol("p", trustDoc(`{"Sid":"read all!","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`))),
			CodeMalformedPolicyDocument, "Sid"},
		{"empty Action list", nil, create(prod, model.KindPolicy, pol("p", trustDoc(`{"Effect":"Allow","Action":[],"Resource":"*"}`))),
			CodeMalformedPolicyDocument, "empty"},
		{"zero-width space in a resource ARN", nil, create(prod, model.KindPolicy, pol("p", allow("s3:GetObject", "arn:aws:s3:::app\u200b/*"))),
			CodeMalformedPolicyDocument, "U+200B"},
		{"zero-width space written as an escape", nil, create(prod, model.KindPolicy, pol("p", allow("s3:GetObject", `arn:aws:s3:::app\u200b/*`))),
			CodeMalformedPolicyDocument, "U+200B"},
		{"percent-encoded document", nil, create(prod, model.KindPolicy, pol("p",
			`%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D`)),
			CodeMalformedPolicyDocument, "percent-encoded"},
		{"duplicate Effect", nil, create(prod, model.KindPolicy, pol("p", trustDoc(`{"Effect":"Deny","Effect":"Allow","Action":"s3:*","Resource":"*"}`))),
			CodeMalformedPolicyDocument, `duplicate key "Effect"`},
		{"second Condition in a trust policy", nil, create(prod, model.KindRole, withTrust(trustDoc(
			`{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}},"Condition":{}}`))),
			CodeMalformedPolicyDocument, `duplicate key "Condition"`},
		{"document nested too deep", nil, create(prod, model.KindPolicy, pol("p", `{"Version":"2012-10-17","Statement":`+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+`}`)),
			CodeMalformedPolicyDocument, "nested"},
		{"text after the document", nil, create(prod, model.KindPolicy, pol("p", doc+doc)), CodeMalformedPolicyDocument, "after"},
		{"trust policy with a resource", nil, create(prod, model.KindRole, withTrust(trustDoc(
			`{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Resource":"*"}`))), CodeMalformedPolicyDocument, "Resource"},
		{"trust policy with a non-STS action", nil, create(prod, model.KindRole, withTrust(trustDoc(
			`{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"s3:GetObject"}`))), CodeMalformedPolicyDocument, "STS"},
		{"principal that is a name", nil, create(prod, model.KindRole, withTrust(trust("David"))), CodeMalformedPolicyDocument, "Invalid principal in policy"},
		{"principal with an 11-digit account", nil, create(prod, model.KindRole, withTrust(trust("arn:aws:iam::11111111111:root"))),
			CodeMalformedPolicyDocument, "Invalid principal in policy"},
		{"principal with a wildcard ARN", nil, create(prod, model.KindRole, withTrust(trust("arn:aws:iam::111111111111:role/*"))),
			CodeMalformedPolicyDocument, "Invalid principal in policy"},
		{"principal that is a group", nil, create(prod, model.KindRole, withTrust(trust("arn:aws:iam::111111111111:group/Developers"))),
			CodeMalformedPolicyDocument, "Invalid principal in policy"},
		{"principal in another partition", nil, create(prod, model.KindRole, withTrust(trust("arn:aws-cn:iam::111111111111:root"))),
			CodeMalformedPolicyDocument, "Invalid principal in policy"},
		{"trusted user does not exist yet", []change{create(dev, model.KindGroup, g("Developers"))},
			create(prod, model.KindRole, withTrust(trust(davidARN))), CodeMalformedPolicyDocument, `Invalid principal in policy: "AWS":"` + davidARN + `"`},
		{"trusted role does not exist", []change{create(prod, model.KindRole, role("a", trust(devRoot)))},
			create(prod, model.KindRole, role("b", trust("arn:aws:iam::999999999999:role/c"))), CodeMalformedPolicyDocument, "Invalid principal in policy"},
		{"trusted role under another path", []change{create(prod, model.KindRole, role("a", trust(devRoot)))},
			create(prod, model.KindRole, role("b", trust("arn:aws:iam::999999999999:role/ops/a"))), CodeMalformedPolicyDocument, "Invalid principal in policy"},
		{"role trusting itself on create", nil, create(prod, model.KindRole, role("self", trust("arn:aws:iam::999999999999:role/self"))),
			CodeMalformedPolicyDocument, "Invalid principal in policy"},
		{"trust update naming a missing user", []change{create(dev, model.KindGroup, g("G")), create(prod, model.KindRole, role("r", trust(devRoot)))},
			update(prod, model.KindRole, role("r", trust(devRoot)), role("r", trust(davidARN))), CodeMalformedPolicyDocument, "Invalid principal in policy"},

		// maximum session duration
		{"session below an hour", nil, create(prod, model.KindRole, withSession(3599)), CodeValidationError, "3600"},
		{"session above twelve hours", nil, create(prod, model.KindRole, withSession(43201)), CodeValidationError, "43200"},
		{"session update out of range", []change{create(prod, model.KindRole, withSession(3600))},
			update(prod, model.KindRole, withSession(3600), withSession(50000)), CodeValidationError, "maxSessionDuration"},

		// what IAM has no API for
		{"role path change", []change{create(prod, model.KindRole, role("r", trust(devRoot)))},
			update(prod, model.KindRole, role("r", trust(devRoot)), withPath("/ops/")), CodeReplacementRequired, "path"},
		{"policy description change", []change{create(prod, model.KindPolicy, pol("p", doc))},
			update(prod, model.KindPolicy, pol("p", doc), &model.ManagedPolicy{Name: "p", Document: doc, Description: "new"}),
			CodeReplacementRequired, "description"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := openTemp(t)
			// Both accounts are held, as after the engine's reads.
			read(t, p, dev)
			read(t, p, prod)
			mustApply(t, p, tt.setup...)
			before, _ := os.ReadFile(filepath.Join(p.dir, stateFile))
			err := apply(p, tt.c)
			if got := codeOf(err); got != tt.code {
				t.Fatalf("error = %v; want code %s", err, tt.code)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("error %q does not mention %q", err, tt.message)
			}
			after, _ := os.ReadFile(filepath.Join(p.dir, stateFile))
			if !bytes.Equal(before, after) {
				t.Error("a refused change rewrote state.json")
			}
		})
	}
}

func mergeTags(m map[string]string, key string) map[string]string {
	out := map[string]string{key: "v"}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestAccepted: things IAM accepts that a strict simulation could wrongly
// refuse.
func TestAccepted(t *testing.T) {
	doc := allow("s3:GetObject", "*")
	tests := []struct {
		name  string
		setup []change
		c     change
	}{
		{"name of 64 characters", nil, create(prod, model.KindRole, role(strings.Repeat("r", 64), trust(devRoot)))},
		{"name with every allowed symbol", nil, create(dev, model.KindUser, &model.User{Name: "a_b+c=d,e.f@g-h"})},
		{"group name of 128", nil, create(dev, model.KindGroup, &model.Group{Name: strings.Repeat("g", 128)})},
		{"bare account id principal", nil, create(prod, model.KindRole, role("r", trust(devID)))},
		{"wildcard principal", nil, create(prod, model.KindRole, role("r", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`))},
		{"service principal", nil, create(prod, model.KindRole, role("r",
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`))},
		{"role in an account the simulation does not hold", nil, create(prod, model.KindRole, role("r", trust("arn:aws:iam::222222222222:role/Anything")))},
		{"existing user with a path", []change{create(dev, model.KindUser, &model.User{Name: "Tess", Path: "/qa/"})},
			create(prod, model.KindRole, role("r", trust("arn:aws:iam::111111111111:user/qa/Tess")))},
		{"existing role, name in another case", []change{create(dev, model.KindRole, role("Source", trust(devRoot)))},
			create(prod, model.KindRole, role("r", trust("arn:aws:iam::111111111111:role/source")))},
		{"assumed-role session", nil, create(prod, model.KindRole, role("r", trust("arn:aws:sts::111111111111:assumed-role/Source/session")))},
		{"external id and MFA conditions", nil, create(prod, model.KindRole, role("r", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
			`"Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":["sts:AssumeRole","sts:TagSession"],`+
			`"Condition":{"StringEquals":{"sts:ExternalId":"x"},"Bool":{"aws:MultiFactorAuthPresent":true}}}]}`))},
		{"Latin-1 in a resource", nil, create(prod, model.KindPolicy, &model.ManagedPolicy{Name: "p", Document: allow("s3:GetObject", "arn:aws:s3:::café/*")})},
		{"policy variable with a default in a resource", nil, create(prod, model.KindPolicy, &model.ManagedPolicy{Name: "p", Document: allow("s3:GetObject", "arn:aws:s3:::home/${aws:username, 'shared'}/*")})},
		{"managed policy of exactly 6144", nil, create(prod, model.KindPolicy, &model.ManagedPolicy{Name: "p", Document: bigPolicy(6144)})},
		{"attaching twice", []change{create(dev, model.KindGroup, &model.Group{Name: "G"}),
			create(dev, model.KindAttachment, attachment(model.KindGroup, "G", powerARN))},
			create(dev, model.KindAttachment, attachment(model.KindGroup, "G", powerARN))},
		{"customer policy ARN in another case", []change{create(dev, model.KindGroup, &model.Group{Name: "G"}),
			create(dev, model.KindPolicy, &model.ManagedPolicy{Name: "ReadLogs", Document: doc})},
			create(dev, model.KindAttachment, attachment(model.KindGroup, "G", "arn:aws:iam::111111111111:policy/readlogs"))},
		{"job-function AWS managed policy", []change{create(dev, model.KindGroup, &model.Group{Name: "G"})},
			create(dev, model.KindAttachment, attachment(model.KindGroup, "G", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"))},
		{"replacing an inline policy within the quota", []change{create(dev, model.KindUser, &model.User{Name: "u"}),
			create(dev, model.KindInline, inline(model.KindUser, "u", "a", bigPolicy(1500)))},
			update(dev, model.KindInline, inline(model.KindUser, "u", "a", bigPolicy(1500)), inline(model.KindUser, "u", "a", bigPolicy(2000)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := openTemp(t)
			read(t, p, dev)
			read(t, p, prod)
			mustApply(t, p, tt.setup...)
			if err := apply(p, tt.c); err != nil {
				t.Errorf("refused: %v", err)
			}
		})
	}
}
