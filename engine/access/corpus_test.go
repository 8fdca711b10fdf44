package access_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/trustform/trustform/engine/access"
)

// awsManagedFile is the local target's copy of AWS managed policies. It is
// read as data, not imported: engine packages never import providers, but
// the corpus should run against the same real AWS documents the CLI uses.
const awsManagedFile = "../../providers/local/aws_managed_policies.json"

// awsManaged resolves AWS managed policy ARNs from awsManagedFile, as
// local.AWSManagedPolicy does.
var awsManaged = sync.OnceValues(func() (map[string]string, error) {
	data, err := os.ReadFile(awsManagedFile)
	if err != nil {
		return nil, err
	}
	var f struct {
		Policies []struct {
			Path     string          `json:"path"`
			Name     string          `json:"name"`
			Document json.RawMessage `json:"document"`
		} `json:"policies"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, p := range f.Policies {
		var buf bytes.Buffer
		if err := json.Compact(&buf, p.Document); err != nil {
			return nil, err
		}
		out["arn:aws:iam::aws:policy"+p.Path+p.Name] = buf.String()
	}
	return out, nil
})

func resolveAWSManaged(t *testing.T) func(string) (string, bool) {
	t.Helper()
	m, err := awsManaged()
	if err != nil {
		t.Fatalf("reading AWS managed policies: %v", err)
	}
	return func(arn string) (string, bool) {
		d, ok := m[arn]
		return d, ok
	}
}

// TestCorpus runs every case of testdata/eval.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("../../testdata/eval/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	fallback := resolveAWSManaged(t)
	total := 0
	for _, f := range files {
		cases, err := access.LoadCase(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			total++
			t.Run(filepath.Base(f)+"/"+c.Name, func(t *testing.T) {
				ev := access.New(c.Inputs(c.State(), fallback))
				res := ev.Evaluate(c.Request)
				for _, r := range res.Reasons {
					t.Log(r)
				}
				if err := c.Check(res); err != nil {
					t.Errorf("%s\ncites: %s", err, c.Cites)
				}
				if c.WhoCan != nil {
					if err := c.CheckWhoCan(ev.WhoCanAssume(c.WhoCan.Role)); err != nil {
						t.Errorf("%s\ncites: %s", err, c.Cites)
					}
				}
				assertBaseCaveats(t, res, c.Spec.Organization != nil, len(c.SessionPolicies) > 0)
			})
		}
	}
	if total < 40 {
		t.Errorf("the corpus has %d cases; it should cover every documented point with at least 40", total)
	}
}

// assertBaseCaveats checks that the policy types never evaluated are named
// in every result.
func assertBaseCaveats(t *testing.T, res access.Result, orgRead, sessionGiven bool) {
	t.Helper()
	base := []string{"resource-based policies other than role trust policies"}
	// A policy type that was given must not be named as not evaluated.
	for _, g := range []struct {
		given       bool
		named, says string
	}{
		{sessionGiven, "session policies", "session policies are not evaluated"},
		{orgRead, "SCPs", "SCPs (and RCPs) are not evaluated"},
	} {
		if !g.given {
			base = append(base, g.named)
			continue
		}
		for _, c := range res.Caveats {
			if strings.Contains(c, g.says) {
				t.Errorf("%s were given, but a caveat says they are not evaluated: %q", g.named, c)
			}
		}
	}
	for _, want := range base {
		found := false
		for _, c := range res.Caveats {
			if bytes.Contains([]byte(c), []byte(want)) {
				found = true
			}
		}
		if !found {
			t.Errorf("no caveat names %s: %q", want, res.Caveats)
		}
	}
}
