package ownership

import (
	"fmt"
	"maps"
	"regexp"
	"testing"

	"github.com/trustform/trustform/engine/model"
)

// TestRecordRoundTripsAndSplits encodes records of growing size: each reads
// back the same, no tag value passes IAM's 256 characters, and a record that
// does not fit one value continues in trustform:applied:2 and on.
func TestRecordRoundTripsAndSplits(t *testing.T) {
	tests := []struct {
		name     string
		children int
		tags     int
	}{
		{"no children", 0, 1},
		{"a few children", 3, 1},
		{"as many as one value holds", 30, 1},
		{"one more", 31, 2},
		{"a role at IAM's limits", 120, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inline := map[string]string{}
			for i := range tc.children {
				inline[fmt.Sprintf("p%d", i)] = fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b%d/*"}]}`, i)
			}
			rec := newRecord(RolePrincipalHash(&model.Role{Name: "R", TrustPolicy: "{}"}), inline, nil, nil)
			tags := rec.tags()
			if len(tags) != tc.tags {
				t.Errorf("%d tags, want %d: %v", len(tags), tc.tags, tags)
			}
			for k, v := range tags {
				if !IsAppliedTag(k) || len(v) > maxTagValue || !tagValueRe.MatchString(v) {
					t.Errorf("tag %s = %q is not a record tag IAM accepts", k, v)
				}
			}
			back, ok := readRecord(tags)
			if !ok || back.principal != rec.principal || !maps.Equal(back.children, rec.children) {
				t.Errorf("read back %v, %v; want %v", back, ok, rec)
			}
		})
	}
}

func TestReadRecordRefusesDamage(t *testing.T) {
	good := newRecord("abcdefgh", map[string]string{"a": "{}"}, []string{"arn:aws:iam::aws:policy/X"}, nil).tags()[AppliedTagKey]
	tests := []struct {
		name  string
		value string
		ok    bool
	}{
		{"as written", good, true},
		{"no record", "", false},
		{"another format", "2" + good[1:], false},
		{"cut short", good[:len(good)-1], false},
		{"no principal", "1.", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tags := map[string]string{}
			if tc.value != "" {
				tags[AppliedTagKey] = tc.value
			}
			if _, ok := readRecord(tags); ok != tc.ok {
				t.Errorf("readRecord(%q) ok = %v, want %v", tc.value, ok, tc.ok)
			}
		})
	}
}

func TestIsAppliedTag(t *testing.T) {
	for key, want := range map[string]bool{
		"trustform:applied": true, "trustform:applied:2": true, "trustform:applied:17": true,
		"trustform:applied:1": false, "trustform:applied:x": false, "trustform:appliedx": false, "trustform:stack": false, "app": false,
	} {
		if got := IsAppliedTag(key); got != want {
			t.Errorf("IsAppliedTag(%q) = %v, want %v", key, got, want)
		}
	}
}

var tagValueRe = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// TestRecordNeverPassesIAMsTagQuota: a record is written only where the
// principal's tags and the record's together stay within IAM's 50; beyond,
// the principal has no record (its changes read as unknown) rather than an
// apply that fails on a tag trustform added. An old record is removed
// either way.
func TestRecordNeverPassesIAMsTagQuota(t *testing.T) {
	children := func(n int) map[string]string {
		inline := map[string]string{}
		for i := range n {
			inline[fmt.Sprintf("p%d", i)] = fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b%d/*"}]}`, i)
		}
		return inline
	}
	tests := []struct {
		name     string
		own      int // tags besides the record, the ownership tag included
		children int
		recorded bool
	}{
		{"one record tag beside 49", 49, 3, true},
		{"two record tags beside 48", 48, 31, true},
		{"two record tags beside 49", 49, 31, false},
		{"four record tags beside 48", 48, 120, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tags := map[string]string{AppliedTagKey: "1.old", AppliedTagKey + ":2": "old"}
			for i := range tc.own {
				tags[fmt.Sprintf("k%d", i)] = "v"
			}
			r := &model.Role{Name: "R", TrustPolicy: "{}", Tags: tags, InlinePolicies: children(tc.children)}
			RecordRole(r)
			if len(r.Tags) > maxTags {
				t.Fatalf("%d tags: past IAM's quota of %d", len(r.Tags), maxTags)
			}
			_, ok := readRecord(r.Tags)
			if ok != tc.recorded {
				t.Fatalf("recorded = %v, want %v (%d tags)", ok, tc.recorded, len(r.Tags))
			}
			if v := r.Tags[AppliedTagKey]; v == "1.old" {
				t.Fatalf("the old record is kept")
			}
		})
	}
}
