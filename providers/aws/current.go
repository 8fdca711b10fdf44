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
// write (the kind's Current handler) and lets engine.CheckCurrent decide
// (see engine/current.go): two runs of a stack at once then make each change
// once. Creates need no re-read — IAM refuses a second create of a role,
// policy, group or user (EntityAlreadyExists, see create), and putting an
// inline policy or attaching a policy twice leaves one — and neither do
// attachments and memberships (no Current), whose removal when gone is
// reported by remove.
func (a *applier) checkCurrent(ctx context.Context) error {
	cur, reread, err := handlers.Current(ctx, a, a.change)
	if err != nil || !reread {
		return err
	}
	return engine.CheckCurrent(a.change, cur)
}

// readAgain finishes a re-read: a missing object is nil, any other error
// names the call and the change.
func (a *applier) readAgain(op string, out model.Object, err error) (model.Object, error) {
	switch {
	case errorCode(err) == "NoSuchEntity":
		return nil, nil
	case err != nil:
		return nil, &Error{Op: "iam:" + op, Subject: fmt.Sprintf("%s in account %s, read again before the write", engine.ObjectName(a.change), accountLabel(a.account)), Err: err}
	}
	return out, nil
}

func (a *applier) currentRole(ctx context.Context, o *model.Role) (model.Object, error) {
	r, err := a.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String(o.Name)})
	if err != nil {
		return a.readAgain("GetRole", nil, err)
	}
	trust, err := decodeDocument(sdkaws.ToString(r.Role.AssumeRolePolicyDocument))
	if err != nil {
		return a.readAgain("GetRole", nil, err)
	}
	return &model.Role{
		Name: sdkaws.ToString(r.Role.RoleName), Path: pathOr(r.Role.Path), Description: sdkaws.ToString(r.Role.Description),
		MaxSessionDuration: int(sdkaws.ToInt32(r.Role.MaxSessionDuration)), TrustPolicy: trust, Tags: tagMap(r.Role.Tags),
		PermissionsBoundary: boundaryARN(r.Role.PermissionsBoundary),
	}, nil
}

func (a *applier) currentPolicy(ctx context.Context, o *model.ManagedPolicy) (model.Object, error) {
	arn := model.PolicyARN(a.partition, a.account.ID, o.Path, o.Name)
	p, err := a.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: sdkaws.String(arn)})
	if err != nil {
		return a.readAgain("GetPolicy", nil, err)
	}
	v, err := a.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: sdkaws.String(arn), VersionId: p.Policy.DefaultVersionId})
	if err != nil {
		return a.readAgain("GetPolicyVersion", nil, err)
	}
	doc, err := decodeDocument(sdkaws.ToString(v.PolicyVersion.Document))
	if err != nil {
		return a.readAgain("GetPolicyVersion", nil, err)
	}
	return &model.ManagedPolicy{Name: o.Name, Path: pathOr(p.Policy.Path), Description: sdkaws.ToString(p.Policy.Description), Document: doc}, nil
}

func (a *applier) currentGroup(ctx context.Context, o *model.Group) (model.Object, error) {
	g, err := a.iam.GetGroup(ctx, &iam.GetGroupInput{GroupName: sdkaws.String(o.Name), MaxItems: sdkaws.Int32(1)})
	if err != nil {
		return a.readAgain("GetGroup", nil, err)
	}
	return &model.Group{Name: sdkaws.ToString(g.Group.GroupName), Path: pathOr(g.Group.Path)}, nil
}

func (a *applier) currentUser(ctx context.Context, o *model.User) (model.Object, error) {
	u, err := a.iam.GetUser(ctx, &iam.GetUserInput{UserName: sdkaws.String(o.Name)})
	if err != nil {
		return a.readAgain("GetUser", nil, err)
	}
	return &model.User{Name: sdkaws.ToString(u.User.UserName), Path: pathOr(u.User.Path), Tags: tagMap(u.User.Tags),
		PermissionsBoundary: boundaryARN(u.User.PermissionsBoundary)}, nil
}

func (a *applier) currentInline(ctx context.Context, o *model.InlinePolicy) (model.Object, error) {
	var (
		doc *string
		err error
		op  string
	)
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
	if err != nil || doc == nil {
		return a.readAgain(op, nil, err)
	}
	text, err := decodeDocument(*doc)
	if err != nil {
		return a.readAgain(op, nil, err)
	}
	cur := *o
	cur.Document = text
	return &cur, nil
}
