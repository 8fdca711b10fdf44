package conformance

import (
	"fmt"
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/policy"
)

// The suite's own changes, for provider.Apply called directly, are built the
// way engine.Diff builds them, so that a provider sees nothing it would not
// see from a plan: kind and key from the object, the account named, and a
// role, group or user stripped of its policies and memberships (those travel
// as changes of their own).

func createChange(acct *model.AccountConfig, after model.Object) *model.Change {
	return newChange(model.Create, acct, nil, after)
}

func updateChange(acct *model.AccountConfig, before, after model.Object) *model.Change {
	return newChange(model.Update, acct, before, after)
}

func deleteChange(acct *model.AccountConfig, before model.Object) *model.Change {
	return newChange(model.Delete, acct, before, nil)
}

func newChange(action model.Action, acct *model.AccountConfig, before, after model.Object) *model.Change {
	o := after
	if o == nil {
		o = before
	}
	kind, key := identify(acct.ID, o)
	return &model.Change{
		Action:  action,
		Kind:    kind,
		Account: model.AccountRef{Name: acct.Name, ID: acct.ID, Partition: acct.Partition},
		Key:     key,
		Before:  ownAttributes(before),
		After:   ownAttributes(after),
	}
}

// identify returns the kind and key engine.Diff gives an object.
func identify(account string, o model.Object) (model.Kind, model.Key) {
	switch v := o.(type) {
	case *model.Role:
		return model.KindRole, model.PrincipalKey(account, model.KindRole, v.Name)
	case *model.ManagedPolicy:
		return model.KindPolicy, model.PolicyKey(account, v.Name)
	case *model.Group:
		return model.KindGroup, model.PrincipalKey(account, model.KindGroup, v.Name)
	case *model.User:
		return model.KindUser, model.PrincipalKey(account, model.KindUser, v.Name)
	case *model.InlinePolicy:
		return model.KindInline, model.InlineKey(account, v.PrincipalKind, v.PrincipalName, v.Name)
	case *model.Attachment:
		return model.KindAttachment, model.AttachmentKey(account, v.PrincipalKind, v.PrincipalName, v.PolicyARN)
	case *model.Membership:
		return model.KindMembership, model.MembershipKey(account, v.User, v.Group)
	}
	panic(fmt.Sprintf("conformance: no change kind for %T", o))
}

// ownAttributes copies a role, group or user without what travels as
// separate changes; other objects are returned as they are.
func ownAttributes(o model.Object) model.Object {
	switch v := o.(type) {
	case *model.Role:
		c := v.Clone()
		c.AttachedPolicies, c.InlinePolicies = nil, nil
		return c
	case *model.Group:
		c := v.Clone()
		c.AttachedPolicies, c.InlinePolicies = nil, nil
		return c
	case *model.User:
		c := v.Clone()
		c.AttachedPolicies, c.InlinePolicies, c.Groups = nil, nil, nil
		return c
	}
	return o
}

// Documents. The suite writes them in the compact form policy.Document
// renders; targets may return them in any equivalent form.

const readOnlyAccessARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"

func document(statements ...policy.Statement) string {
	return policy.Document{Version: policy.Version, Statements: statements}.JSON()
}

// allow is an identity-policy statement allowing actions on resources.
func allow(actions []string, resources ...string) policy.Statement {
	return policy.Statement{Effect: "Allow", Actions: actions, Resources: resources}
}

// assume is a trust-policy statement letting AWS principals assume the role.
func assume(principals ...string) policy.Statement {
	return policy.Statement{Effect: "Allow", Actions: []string{"sts:AssumeRole"}, Principals: map[string][]string{"AWS": principals}}
}

// trust is a trust policy of one statement letting the principals assume.
func trust(principals ...string) string { return document(assume(principals...)) }

// bucketPolicy is a small identity policy that differs by bucket name, so a
// sequence of them makes a sequence of distinct documents.
func bucketPolicy(bucket string) string {
	return document(
		allow([]string{"s3:ListBucket"}, "arn:aws:s3:::"+bucket),
		allow([]string{"s3:GetObject", "s3:PutObject"}, "arn:aws:s3:::"+bucket+"/*"),
	)
}

// withStatement returns doc with one more statement.
func withStatement(doc string, s policy.Statement) (string, error) {
	d, err := policy.Parse(doc)
	if err != nil {
		return "", err
	}
	d.Statements = append(d.Statements, s)
	return d.JSON(), nil
}

// describePlan lists a plan's changes, one a line, for failure messages.
func describePlan(p *model.Plan) string {
	var b strings.Builder
	for _, c := range p.Changes {
		b.WriteString("  ")
		b.WriteString(engine.Describe(c))
		b.WriteByte('\n')
	}
	return b.String()
}

// planEntries lists a plan's changes as "action key", sorted, for comparison
// with the changes a test expects.
func planEntries(changes []*model.Change) []string {
	out := make([]string, len(changes))
	for i, c := range changes {
		out[i] = entry(c.Action, c.Key)
	}
	slices.Sort(out)
	return out
}

func entry(a model.Action, k model.Key) string { return string(a) + " " + k.String() }
