package local

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeSeed(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// docExample returns the seed example of the package documentation, so that
// the documentation cannot drift from what LoadSeed accepts.
func docExample(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	in := false
	for _, line := range strings.Split(string(src), "\n") {
		switch {
		case line == "//\t{":
			in = true
		case !strings.HasPrefix(line, "//\t"):
			if in {
				return strings.Join(out, "\n")
			}
		}
		if in {
			out = append(out, strings.TrimPrefix(line, "//\t"))
		}
	}
	t.Fatal("no seed example in doc.go")
	return ""
}

func TestLoadSeed(t *testing.T) {
	st, err := LoadSeed(writeSeed(t, docExample(t)))
	if err != nil {
		t.Fatalf("the documented example does not load: %v", err)
	}
	a := st.Accounts[devID]
	tests := []struct {
		name string
		ok   bool
	}{
		{"both accounts", len(st.Accounts) == 2 && st.Accounts[prodID] != nil},
		{"customer policy", a.Policies["read-logs"] != nil && a.Policies["read-logs"].Description == "Read CloudWatch Logs" &&
			a.Policies["read-logs"].Tags["team"] == "platform" && strings.HasPrefix(a.Policies["read-logs"].Document, `{"Version":"2012-10-17"`)},
		{"group with policies", slices.Equal(a.Groups["developers"].AttachedPolicies, []string{powerARN}) &&
			a.Groups["developers"].InlinePolicies["notes"] != "" && a.Groups["developers"].Path == "/"},
		{"users in groups", slices.Equal(a.Users["david"].Groups, []string{"Developers"}) && a.Users["tess"].Path == "/qa/" &&
			a.Users["david"].Tags["email"] == "david@example.com"},
		{"role", a.Roles["auditor"] != nil && a.Roles["auditor"].MaxSessionDuration == 7200 &&
			slices.Equal(a.Roles["auditor"].AttachedPolicies, []string{"arn:aws:iam::111111111111:policy/read-logs", readOnlyARN})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Errorf("seed loaded as %+v", a)
			}
		})
	}
}

// TestOpenWithSeed: a seed fills an empty stack directory; nothing is
// written until the first apply, and from then on state.json wins.
func TestOpenWithSeed(t *testing.T) {
	seed := writeSeed(t, docExample(t))
	dir := filepath.Join(t.TempDir(), ".trustform")
	want, err := LoadSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts Options
	}{
		{"plan", Options{Dir: dir, Seed: seed, ReadOnly: true}},
		{"apply", Options{Dir: dir, Seed: seed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Open(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if got := p.Snapshot(); len(got.Accounts) != len(want.Accounts) || len(got.Accounts[devID].Users) != 2 {
				t.Errorf("seeded state = %+v", got.Accounts)
			}
			if _, err := os.Stat(filepath.Join(dir, stateFile)); !os.IsNotExist(err) {
				t.Errorf("state.json written before any apply")
			}
		})
	}
	t.Run("missing seed means empty", func(t *testing.T) {
		p, err := Open(Options{Dir: filepath.Join(t.TempDir(), "x"), Seed: filepath.Join(t.TempDir(), "none.json"), ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if n := len(p.Snapshot().Accounts); n != 0 {
			t.Errorf("%d accounts", n)
		}
	})
	t.Run("a state file is a valid seed", func(t *testing.T) {
		p := openTemp(t)
		tutorial(t, p)
		data, err := os.ReadFile(filepath.Join(p.dir, stateFile))
		if err != nil {
			t.Fatal(err)
		}
		st, err := LoadSeed(writeSeed(t, string(data)))
		if err != nil {
			t.Fatal(err)
		}
		got, want := st.Accounts[prodID].Policies["read-write-app-bucket"], p.Snapshot().Accounts[prodID].Policies["read-write-app-bucket"]
		if got == nil || got.Document != want.Document {
			t.Errorf("policy from state file as seed = %+v, want %+v", got, want)
		}
	})
}

func TestBadSeeds(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	tests := []struct {
		name string
		seed string
		want string // part of the error
	}{
		{"not JSON", `{"accounts": `, "seed"},
		{"unknown field", `{"accounts": {"111111111111": {"group": []}}}`, `unknown field "group"`},
		{"unknown field in a role", `{"accounts": {"111111111111": {"roles": [{"name": "r", "trust": {}}]}}}`, `unknown field "trust"`},
		{"account id not 12 digits", `{"accounts": {"1111": {}}}`, "12 digits"},
		{"unknown partition", `{"accounts": {"111111111111": {"partition": "mars"}}}`, "partition"},
		{"bad user name", `{"accounts": {"111111111111": {"users": [{"name": "Da vid"}]}}}`, "ValidationError"},
		{"duplicate group, other case", `{"accounts": {"111111111111": {"groups": [{"name": "Devs"}, {"name": "devs"}]}}}`, "EntityAlreadyExists"},
		{"member of a missing group", `{"accounts": {"111111111111": {"users": [{"name": "David", "groups": ["Developers"]}]}}}`, "NoSuchEntity"},
		{"unknown AWS managed policy", `{"accounts": {"111111111111": {"groups": [{"name": "G", "attached_policies": ["arn:aws:iam::aws:policy/Nope"]}]}}}`,
			"NoSuchEntity"},
		{"inline policy with a principal", `{"accounts": {"111111111111": {"users": [{"name": "u", "inline_policies": {"p": ` +
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}}}]}}}`, "principal"},
		{"trust naming a missing user", `{"accounts": {"111111111111": {}, "999999999999": {"roles": [{"name": "r", "trust_policy": ` +
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/Ghost"},"Action":"sts:AssumeRole"}]}}]}}}`,
			"Invalid principal in policy"},
		{"role without trust policy", `{"accounts": {"111111111111": {"roles": [{"name": "r"}]}}}`, "MalformedPolicyDocument"},
		{"document that is a number", `{"accounts": {"111111111111": {"policies": [{"name": "p", "document": 3}]}}}`, "JSON object"},
		{"policy with document and versions", `{"accounts": {"111111111111": {"policies": [{"name": "p", "document": ` + doc +
			`, "versions": [{"document": ` + doc + `, "default": true}]}]}}}`, "not both"},
		{"policy without document", `{"accounts": {"111111111111": {"policies": [{"name": "p"}]}}}`, "needs a document"},
		{"versions without a default", `{"accounts": {"111111111111": {"policies": [{"name": "p", "versions": [{"document": ` + doc + `}]}]}}}`,
			"default"},
		{"six versions", `{"accounts": {"111111111111": {"policies": [{"name": "p", "versions": [` +
			strings.Repeat(`{"document": `+doc+`}, `, 5) + `{"document": ` + doc + `, "default": true}]}]}}}`, "LimitExceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadSeed(writeSeed(t, tt.seed))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadSeed error = %v, want one mentioning %q", err, tt.want)
			}
			// Open reports the same error and leaves no lock held.
			dir := filepath.Join(t.TempDir(), ".trustform")
			if _, err := Open(Options{Dir: dir, Seed: writeSeed(t, tt.seed)}); err == nil {
				t.Error("Open accepted the seed")
			}
			p, err := Open(Options{Dir: dir})
			if err != nil {
				t.Errorf("lock left held after a failed Open: %v", err)
			} else {
				p.Close()
			}
		})
	}
}

// TestSeedTrustOrder: roles in a seed may trust principals that come later
// in the file or live in another account.
func TestSeedTrustOrder(t *testing.T) {
	seed := `{"accounts": {
	  "999999999999": {"roles": [{"name": "UpdateApp", "trust_policy":
	    {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:role/Source","arn:aws:iam::999999999999:role/Later"]},"Action":"sts:AssumeRole"}]}},
	    {"name": "Later", "trust_policy": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}]}}]},
	  "111111111111": {"roles": [{"name": "Source", "trust_policy": {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}}]}
	}}`
	st, err := LoadSeed(writeSeed(t, seed))
	if err != nil {
		t.Fatal(err)
	}
	if st.Accounts[prodID].Roles["updateapp"] == nil || st.Accounts[devID].Roles["source"] == nil {
		t.Errorf("roles missing: %+v", st.Accounts)
	}
}
