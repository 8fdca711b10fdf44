package aws

import (
	"context"
	"fmt"

	"github.com/trustform/trustform/engine/model"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/trustform/trustform/engine"
)

// checkCurrent re-reads the object of an update or delete just before the
// write and lets engine.CheckCurrent decide (see engine/current.go): two runs
// of a stack at once then make each change once. Creates need no re-read —
// IAM refuses a second create of a role, policy, group or user
// (EntityAlreadyExists, see create), and putting an inline policy or
// attaching a policy twice leaves one — and neither do attachments and
// memberships, whose removal when gone is reported by remove.
func (a *applier) checkCurrent(ctx context.Context) error {
	ch := a.change
	if ch.Action != model.Update && ch.Action != model.Delete {
		return nil
	}
	if ch.Kind == model.KindAttachment || ch.Kind == model.KindMembership {
		return nil
	}
	cur, err := a.current(ctx)
	if err != nil {
		return err
	}
	return engine.CheckCurrent(ch, cur)
}

// current reads the change's object as it is, nil when it does not exist.
func (a *applier) current(ctx context.Context) (model.Object, error) {
	obj := a.change.After
	if a.change.Action == model.Delete {
		obj = a.change.Before
	}
	var (
		out model.Object
		err error
	)
	op := ""
	switch o := obj.(type) {
	case *model.Role:
		op = "GetRole"
		var r *iam.GetRoleOutput
		if r, err = a.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String(o.Name)}); err == nil {
			var trust string
			if trust, err = decodeDocument(sdkaws.ToString(r.Role.AssumeRolePolicyDocument)); err == nil {
				out = &model.Role{
					Name: sdkaws.ToString(r.Role.RoleName), Path: pathOr(r.Role.Path), Description: sdkaws.ToString(r.Role.Description),
					MaxSessionDuration: int(sdkaws.ToInt32(r.Role.MaxSessionDuration)), TrustPolicy: trust, Tags: tagMap(r.Role.Tags),
				}
			}
		}
	case *model.ManagedPolicy:
		op = "GetPolicy"
		arn := model.PolicyARN(a.partition, a.account.ID, o.Path, o.Name)
		var p *iam.GetPolicyOutput
		if p, err = a.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: sdkaws.String(arn)}); err == nil {
			op = "GetPolicyVersion"
			var v *iam.GetPolicyVersionOutput
			if v, err = a.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: sdkaws.String(arn), VersionId: p.Policy.DefaultVersionId}); err == nil {
				var doc string
				if doc, err = decodeDocument(sdkaws.ToString(v.PolicyVersion.Document)); err == nil {
					out = &model.ManagedPolicy{Name: o.Name, Path: pathOr(p.Policy.Path), Description: sdkaws.ToString(p.Policy.Description), Document: doc}
				}
			}
		}
	case *model.Group:
		op = "GetGroup"
		var g *iam.GetGroupOutput
		if g, err = a.iam.GetGroup(ctx, &iam.GetGroupInput{GroupName: sdkaws.String(o.Name), MaxItems: sdkaws.Int32(1)}); err == nil {
			out = &model.Group{Name: sdkaws.ToString(g.Group.GroupName), Path: pathOr(g.Group.Path)}
		}
	case *model.User:
		op = "GetUser"
		var u *iam.GetUserOutput
		if u, err = a.iam.GetUser(ctx, &iam.GetUserInput{UserName: sdkaws.String(o.Name)}); err == nil {
			out = &model.User{Name: sdkaws.ToString(u.User.UserName), Path: pathOr(u.User.Path), Tags: tagMap(u.User.Tags)}
		}
	case *model.InlinePolicy:
		var doc *string
		name, policy := sdkaws.String(o.PrincipalName), sdkaws.String(o.Name)
		switch o.PrincipalKind {
		case model.KindRole:
			op = "GetRolePolicy"
			var r *iam.GetRolePolicyOutput
			if r, err = a.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: name, PolicyName: policy}); err == nil {
				doc = r.PolicyDocument
			}
		case model.KindGroup:
			op = "GetGroupPolicy"
			var r *iam.GetGroupPolicyOutput
			if r, err = a.iam.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: name, PolicyName: policy}); err == nil {
				doc = r.PolicyDocument
			}
		case model.KindUser:
			op = "GetUserPolicy"
			var r *iam.GetUserPolicyOutput
			if r, err = a.iam.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: name, PolicyName: policy}); err == nil {
				doc = r.PolicyDocument
			}
		}
		if err == nil && doc != nil {
			var text string
			if text, err = decodeDocument(*doc); err == nil {
				cur := *o
				cur.Document = text
				out = &cur
			}
		}
	default:
		return nil, nil
	}
	switch {
	case errorCode(err) == "NoSuchEntity":
		return nil, nil
	case err != nil:
		return nil, &Error{Op: "iam:" + op, Subject: fmt.Sprintf("%s in account %s, read again before the write", engine.ObjectName(a.change), accountLabel(a.account)), Err: err}
	}
	return out, nil
}
