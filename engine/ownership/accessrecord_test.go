package ownership_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"
)

// TestAccessRecordRoundTrip: what the record is written with is what is read
// back, conditions and roles nobody can assume included, in IAM's size limit
// however many entries; its names are recognised, other names are not.
func TestAccessRecordRoundTrip(t *testing.T) {
	role := "arn:aws:iam::999999999999:role/UpdateApp"
	many := []model.RecordedAssumer{}
	for i := range 300 {
		many = append(many, model.RecordedAssumer{Role: role, Principal: fmt.Sprintf("arn:aws:iam::111111111111:user/person-%03d", i),
			Conditions: []string{"with MFA", `with ExternalId "x;y | z"`}})
	}
	tests := []struct {
		name     string
		entries  []model.RecordedAssumer
		policies int
	}{
		{"none", nil, 0},
		{"one with conditions, one without, one role nobody can assume", []model.RecordedAssumer{
			{Role: role, Principal: "arn:aws:iam::111111111111:user/David"},
			{Role: role, Principal: "ec2.amazonaws.com", Conditions: []string{"with MFA"}},
			{Role: "arn:aws:iam::999999999999:role/Empty"},
		}, 1},
		{"past the size limit", many, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			policies := ownership.AccessRecords("devprod", tt.entries)
			if tt.policies > 0 && len(policies) != tt.policies || tt.entries == nil && len(policies) != 0 {
				t.Fatalf("%d policies, want %d", len(policies), tt.policies)
			}
			a := &model.Account{Policies: map[string]*model.ManagedPolicy{}}
			for i, p := range policies {
				if p.Name != ownership.AccessRecordName("devprod", i) || !ownership.IsAccessRecord("devprod", p.Name) {
					t.Errorf("policy %d is named %q", i, p.Name)
				}
				if n := len(strings.Join(strings.Fields(p.Document), "")); n > 6144 {
					t.Errorf("%s holds %d characters, past IAM's 6,144", p.Name, n)
				}
				a.Policies[model.NameKey(p.Name)] = p
			}
			got, found := ownership.RecordedAccess(a, "devprod")
			if found != (len(tt.entries) > 0) {
				t.Errorf("found %v with %d entries", found, len(tt.entries))
			}
			sortEntries := func(es []model.RecordedAssumer) []model.RecordedAssumer {
				es = slices.Clone(es)
				slices.SortFunc(es, func(a, b model.RecordedAssumer) int {
					return strings.Compare(a.Role+"\x00"+a.Principal, b.Role+"\x00"+b.Principal)
				})
				for i := range es {
					es[i].Conditions = slices.Sorted(slices.Values(es[i].Conditions))
				}
				return es
			}
			if !reflect.DeepEqual(sortEntries(got), sortEntries(tt.entries)) {
				t.Errorf("read back %d entries, wrote %d:\n%v\n%v", len(got), len(tt.entries), got, tt.entries)
			}
		})
	}
	if len(ownership.AccessRecords("devprod", many)) < 2 {
		t.Errorf("300 entries fit one policy: the size limit is not applied")
	}
	for _, name := range []string{"trustform.devprod.access.x", "trustform.devprod.accessed", "trustform.other.access", "trustform.devprod.adopted"} {
		if ownership.IsAccessRecord("devprod", name) {
			t.Errorf("%q is taken for an access record", name)
		}
	}
}
