package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"
)

// recordChanges are a plan's changes of the stack's access record, and
// whether they all come after every other change.
func recordChanges(p *model.Plan) (records []*model.Change, last bool) {
	last = true
	for _, c := range p.Changes {
		if engine.IsAccessRecordAddress(c.Address) {
			records = append(records, c)
			continue
		}
		if len(records) > 0 {
			last = false
		}
	}
	return records, last
}

// TestAccessRecordLifecycle follows the access record of the organisation
// example: one record per account holding a role of the stack, planned
// after every other change; an applied stack plans nothing and sees no
// change outside it; a stack that stops reading its organisation, and a
// destroy, delete the records; a stack's own policy may not take a
// record's name.
func TestAccessRecordLifecycle(t *testing.T) {
	ctx := context.Background()
	cfg, p := loadExample(t, "organization")
	first := plan(t, cfg, p, false)
	records, last := recordChanges(first)
	if len(records) != 12 || !last {
		t.Fatalf("plan from the seed: %d record changes (last: %v), want 12 after every other change:\n%s", len(records), last, strings.Join(names(first), "\n"))
	}
	for _, c := range records {
		if c.Action != model.Create || c.Block != ownership.AccessRecordAddress {
			t.Errorf("%s: want a create of the access record", engine.Describe(c))
		}
		entries := ownership.AccessRecordEntries(c.After.(*model.ManagedPolicy).Document)
		if len(entries) != 1 || !strings.HasSuffix(entries[0].Principal, ":user/Sofia") || !strings.HasSuffix(entries[0].Role, ":role/security/SecurityAudit") {
			t.Errorf("%s records %+v, want Sofia on the account's SecurityAudit role", engine.Describe(c), entries)
		}
	}
	if err := engine.Apply(ctx, first, cfg, p, engine.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	again := plan(t, cfg, p, false)
	if len(again.Changes) != 0 || len(again.AccessOutside) != 0 {
		t.Fatalf("after apply: %d changes, %d outside the stack, want none:\n%s", len(again.Changes), len(again.AccessOutside), strings.Join(names(again), "\n"))
	}

	noOrg := *cfg
	noOrg.Organization = nil
	for _, st := range []struct {
		name    string
		cfg     *model.Config
		destroy bool
	}{{"without the organization block", &noOrg, false}, {"destroy", cfg, true}} {
		records, _ := recordChanges(plan(t, st.cfg, p, st.destroy))
		deletes := 0
		for _, c := range records {
			if c.Action == model.Delete {
				deletes++
			}
		}
		if len(records) != 12 || deletes != 12 {
			t.Errorf("%s: %d record changes, %d deletes, want the 12 records deleted", st.name, len(records), deletes)
		}
	}

	reserved := *cfg
	reserved.Policies = append(reserved.Policies, &model.PolicyConfig{Address: "policy.mine", Account: cfg.Roles[0].Account,
		Name: ownership.AccessRecordName(cfg.Stack.Name, 0), Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`})
	if _, err := engine.MakePlan(ctx, &reserved, p, engine.PlanOptions{}); err == nil || !strings.Contains(err.Error(), "reserved for the stack's record of who can assume its roles") {
		t.Errorf("a policy named as the access record: got %v, want the name refused", err)
	}
}

// TestAccessRecordWaitsForEveryChange: the record says who can assume the
// roles once the whole plan is applied, so Apply writes it only when every
// other change completed. One refused change (IAM refuses a Principal in an
// identity policy) leaves every record unwritten and reported as skipped;
// the next plan still has them to write, and sees nothing changed outside
// the stack (there is no record yet to compare with).
func TestAccessRecordWaitsForEveryChange(t *testing.T) {
	ctx := context.Background()
	cfg, p := loadExample(t, "organization")
	cfg.Policies = append(cfg.Policies, &model.PolicyConfig{Address: "policy.bad", Account: cfg.Roles[0].Account, Name: "bad",
		Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Principal":"*"}]}`})
	rec := &recorder{}
	err := engine.Apply(ctx, plan(t, cfg, p, false), cfg, p, engine.ApplyOptions{Hooks: rec})
	if err == nil || !strings.Contains(err.Error(), "MalformedPolicyDocument") {
		t.Fatalf("want the policy's MalformedPolicyDocument, got %v", err)
	}
	skippedRecords := 0
	for _, s := range rec.skipped {
		if strings.Contains(s, ownership.AccessRecordName(cfg.Stack.Name, 0)) {
			skippedRecords++
		}
	}
	if len(rec.failed) != 1 || skippedRecords != 12 || len(rec.skipped) != 12 {
		t.Fatalf("failed %v, skipped %v: want the policy failed and the 12 records, only, skipped", rec.failed, rec.skipped)
	}
	for _, f := range rec.finished {
		if strings.Contains(f, ownership.AccessRecordName(cfg.Stack.Name, 0)) {
			t.Errorf("a record was written although a change failed: %s", f)
		}
	}
	left := plan(t, cfg, p, false)
	records, last := recordChanges(left)
	if len(records) != 12 || !last || len(left.AccessOutside) != 0 {
		t.Errorf("after the partial apply: %d record changes (last: %v), %d outside the stack; want the 12 records still to write, last, and nothing outside", len(records), last, len(left.AccessOutside))
	}
}
