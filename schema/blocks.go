package schema

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

func (l *loader) runStack(cyclic bool) {
	if cyclic {
		return
	}
	s := l.scopeFor(l.baseCtx(), nil)
	d := l.stack
	if t, st := s.str(d, "target"); st == valid {
		if t != "local" && t != "aws" {
			s.errorf(d.attrs["target"].Expr.Range(), "Invalid target",
				`target must be "local" (the embedded simulation under .trustform/) or "aws", not %q.`, t)
		}
		l.cfg.Stack.Target = t
	}
	if n, st := s.str(d, "assume_role_name"); st == valid {
		s.checkName("role", n, d.attrs["assume_role_name"].Expr.Range())
		l.cfg.Stack.AssumeRoleName = n
	}
	if r, st := s.str(d, "require_approval"); st == valid {
		if r != "never" && r != "broadening" {
			s.errorf(d.attrs["require_approval"].Expr.Range(), "Invalid require_approval",
				`require_approval must be "never" (the default) or "broadening" (apply of a plan that gives anyone access it did not have needs -allow-broadening), not %q.`, r)
		}
		l.cfg.Stack.RequireApproval = r
	}
}

// runOrganization reads the organization block: the declared account,
// the management account or a delegated administrator, through which
// trustform reads (read-only) where each account sits and the SCPs and
// RCPs attached along the way.
func (l *loader) runOrganization(cyclic bool) {
	if cyclic {
		return
	}
	s := l.scopeFor(l.baseCtx(), nil)
	d := l.org
	t, st := s.ref(d, "account", accountRule)
	if st != valid || t.info == nil {
		return
	}
	if t.info.external {
		s.errorf(d.attrs["account"].Expr.Range(), "Organization read through an external account",
			"%s is declared with external = true, so the stack has no credentials for it. Name the management account, or a delegated administrator for AWS Organizations, that the stack can read.", t.info.addr)
		return
	}
	l.cfg.Organization = &model.OrganizationConfig{Account: t.info.accountID, Source: source(d.block.DefRange)}
}

func (l *loader) runLocal(lc *localDecl) func(bool) {
	return func(cyclic bool) {
		if cyclic {
			l.localVals[lc.name] = cty.DynamicVal
			return
		}
		v, st := l.scopeFor(l.baseCtx(), nil).eval(lc.attr)
		if st != valid {
			v = cty.DynamicVal
		}
		l.localVals[lc.name] = v
	}
}

// refObject is the value of a reference to an instance: the attributes its
// block type's reference carries (refSpec.attrs), each read from its identity.
func refObject(info *refInfo) cty.Value {
	vals := map[string]cty.Value{}
	for _, a := range refOf(info.kind).attrs {
		vals[a] = cty.StringVal(refAttr(info, a))
	}
	return cty.ObjectVal(vals)
}

// refAttr is one attribute of a reference, by name. An account's id is its
// account id, and its arn and root_arn are both its root ARN.
func refAttr(info *refInfo, attr string) string {
	switch attr {
	case "name":
		return info.name
	case "arn", "root_arn":
		return info.arn
	case "id", "account_id":
		return info.accountID
	case "partition":
		return info.partition
	case "path":
		return info.path
	}
	panic("schema: a reference attribute without a value: " + attr)
}

func (l *loader) setRef(b *blockDecl, v cty.Value) {
	if l.refVals[b.typ] == nil {
		l.refVals[b.typ] = map[string]cty.Value{}
	}
	l.refVals[b.typ][b.name] = v
}

// expand evaluates for_each and makes the block's instances.
func (l *loader) expand(b *blockDecl) bool {
	if b.forEach == nil {
		b.instances = []*instance{{addr: b.addr()}}
		return true
	}
	s := l.scopeFor(l.baseCtx(), nil)
	v, st := s.eval(b.forEach)
	if st != valid {
		return false
	}
	rng := b.forEach.Expr.Range()
	ty := v.Type()
	switch {
	case v.IsNull():
		l.errorf(rng, "Invalid for_each argument", "for_each is null. Give a map, or a set of strings such as toset([\"a\", \"b\"]).")
		return false
	case ty.IsMapType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			b.instances = append(b.instances, l.newInstance(b, k.AsString(), e))
		}
	case ty.IsSetType():
		sv, err := convert.Convert(v, cty.Set(cty.String))
		if err != nil {
			l.errorf(rng, "Invalid for_each argument",
				"for_each needs a set of strings; this set holds %s. Convert its elements with tostring, or use a map.", ty.ElementType().FriendlyName())
			return false
		}
		for it := sv.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsNull() {
				l.errorf(rng, "Invalid for_each argument", "for_each holds a null element; remove it.")
				return false
			}
			b.instances = append(b.instances, l.newInstance(b, e.AsString(), e))
		}
	case ty.IsListType() || ty.IsTupleType():
		l.errorf(rng, "Invalid for_each argument",
			"for_each needs a map or a set of strings, so that each instance has a stable key; this is a list. Convert it with toset(...).")
		return false
	default:
		l.errorf(rng, "Invalid for_each argument",
			"for_each needs a map or a set of strings, not %s.", ty.FriendlyName())
		return false
	}
	return true
}

func (l *loader) newInstance(b *blockDecl, key string, value cty.Value) *instance {
	return &instance{
		key:   key,
		keyed: true,
		each:  cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(key), "value": value}),
		addr:  fmt.Sprintf("%s[%q]", b.addr(), key),
	}
}

// runIdentity evaluates the identity of a referenceable block and publishes
// its reference value: an object, or a map of objects by for_each key.
func (l *loader) runIdentity(b *blockDecl) func(bool) {
	return func(cyclic bool) {
		if cyclic || !l.expand(b) {
			b.failed = true
			l.setRef(b, cty.DynamicVal)
			return
		}
		objs := map[string]cty.Value{}
		base := l.baseCtx()
		for _, in := range b.instances {
			s := l.scopeFor(base, in)
			refOf(b.typ).identify(s, b.typ, b.d)
			if in.ok {
				if l.byARN[in.info.arn] == nil {
					l.byARN[in.info.arn] = in.info
				}
				objs[in.key] = refObject(in.info)
			} else {
				objs[in.key] = cty.UnknownVal(refObjType[b.typ])
			}
		}
		switch {
		case b.forEach == nil:
			l.setRef(b, objs[""])
		case len(objs) == 0:
			l.setRef(b, cty.MapValEmpty(refObjType[b.typ]))
		default:
			l.setRef(b, cty.MapVal(objs))
		}
	}
}

func (s *scope) accountIdentity(d *decoded) {
	in := s.in
	ok := true
	id, st := s.str(d, "id")
	if st == valid && !accountIDRe.MatchString(id) {
		hint := ""
		if len(id) < 12 && strings.Trim(id, "0123456789") == "" {
			hint = " If the id starts with zeros, write it as a quoted string: as a number it loses them."
		}
		s.errorf(d.attrs["id"].Expr.Range(), "Invalid account id",
			"%q is not an AWS account id: it must be exactly 12 digits, such as \"111111111111\".%s", id, hint)
		ok = false
	}
	ok = ok && st == valid
	part, st := s.str(d, "partition")
	switch st {
	case absent:
		part = "aws"
	case valid:
		if !contains(partitions, part) {
			s.errorf(d.attrs["partition"].Expr.Range(), "Invalid partition",
				"partition must be one of %s, not %q.", quoteList(partitions), part)
			ok = false
		}
	default:
		ok = false
	}
	external, st := s.boolean(d, "external")
	ok = ok && st != failed
	in.info = &refInfo{
		kind:      "account",
		addr:      in.addr,
		accountID: id,
		partition: part,
		name:      strings.TrimPrefix(in.addr, "account."),
		arn:       model.RootARN(part, id),
		external:  external,
		def:       d.block.DefRange,
	}
	in.acct = in.info
	if a := d.attrs["id"]; a != nil {
		in.nameRng = a.Expr.Range()
	}
	in.ok = ok
}

// principalIdentity evaluates account, name and path of a group, user,
// policy or role, which make up its ARN.
func (s *scope) principalIdentity(kind string, d *decoded) {
	in := s.in
	ok := true
	acct, st := s.ref(d, "account", accountRule)
	ok = ok && st == valid
	name, st := s.str(d, "name")
	if st == valid {
		ok = s.checkName(kind, name, d.attrs["name"].Expr.Range()) && ok
		in.nameRng = d.attrs["name"].Expr.Range()
	} else {
		ok = false
	}
	path := "/"
	existing, st := s.boolean(d, "existing")
	ok = ok && st != failed
	adopt := false
	if kind != "account" {
		var st status
		adopt, st = s.boolean(d, "adopt")
		ok = ok && st != failed
	}
	if existing && adopt {
		s.errorf(d.attrs["adopt"].NameRange, "Conflicting arguments",
			"A %s is either existing = true (the stack only adds its grants to it) or adopt = true (the stack takes it over and owns it), not both. Remove one.", kind)
		ok = false
	}
	if kind == "group" && !adopt {
		// Groups cannot be tagged, so the stack marks the groups it owns by
		// creating them under its own path; existing groups are assumed to
		// live at the root path. An adopted group keeps its path (the ledger
		// records it), so only adopted groups take a path argument.
		if a := d.attrs["path"]; a != nil {
			s.errorf(a.NameRange, "Path of a group",
				"A group the stack creates lives under %s, which is how the stack knows it owns it, and an existing = true group is at /. Remove path, or set adopt = true if this is an existing group the stack takes over.",
				ownership.OwnedGroupPath(s.l.stackName))
			ok = false
		}
		if !existing {
			path = ownership.OwnedGroupPath(s.l.stackName)
		}
	} else if p, st := s.str(d, "path"); st == valid {
		ok = s.checkPath(p, d.attrs["path"].Expr.Range()) && ok
		path = p
	} else if st == failed {
		ok = false
	}
	info := &refInfo{kind: kind, addr: in.addr, name: name, path: path, existing: existing, def: d.block.DefRange}
	if acct.info != nil && acct.info.external {
		s.errorf(d.attrs["account"].Expr.Range(), "Object in an external account",
			"%s is external = true: the stack names it (in trust policies) but never reads or changes it, so it cannot hold a %s of the stack. Declare the %s in one of the stack's own accounts, or remove external = true if trustform should manage this account.",
			acct.info.addr, kind, kind)
		ok = false
	}
	if acct.info != nil {
		in.acct = acct.info
		info.accountID, info.partition = acct.info.accountID, acct.info.partition
	}
	info.arn = refOf(kind).arn(info.partition, info.accountID, path, name)
	in.info = info
	in.ok = ok
}

// runBody evaluates the rest of a block, per instance, into engine config.
func (l *loader) runBody(b *blockDecl) func(bool) {
	return func(bool) {
		if b.id == nil && !l.expand(b) {
			b.failed = true
		}
		if b.failed {
			return
		}
		base := l.baseCtx()
		for _, in := range b.instances {
			s := l.scopeFor(base, in)
			src := source(b.d.block.DefRange)
			if k, _ := kindOfBlock(b.typ); k.body != nil {
				in.out = k.body(s, b.typ, b.d, src)
			}
		}
	}
}

func (s *scope) accountID() string {
	if s.in.acct == nil {
		return ""
	}
	return s.in.acct.accountID
}

func (s *scope) accountBody(d *decoded, src model.Source) *model.AccountConfig {
	info := s.in.info
	out := &model.AccountConfig{
		Address:   s.in.addr,
		Name:      info.name,
		ID:        info.accountID,
		Partition: info.partition,
		Source:    src,
	}
	out.Profile, _ = s.str(d, "profile")
	out.External = info.external
	if out.External {
		// Credentials for an account trustform never reaches would only
		// mislead the reader.
		if a := d.attrs["profile"]; a != nil {
			s.errorf(a.NameRange, "Credentials for an external account",
				"%s is external = true: trustform never reads or changes it, so it needs no credentials. Remove profile.", s.in.addr)
		}
		for _, ar := range d.children("assume_role") {
			s.errorf(ar.block.DefRange, "Credentials for an external account",
				"%s is external = true: trustform never reads or changes it, so it needs no credentials. Remove the assume_role block.", s.in.addr)
		}
	}
	for _, ar := range d.children("assume_role") {
		cfg := &model.AssumeRoleConfig{}
		if arn, st := s.str(ar, "role_arn"); st == valid {
			rng := ar.attrs["role_arn"].Expr.Range()
			if !RoleARNPattern.MatchString(arn) {
				s.errorf(rng, "Invalid ARN", `role_arn must be a role ARN such as "arn:aws:iam::%s:role/OrganizationAccountAccessRole"; %q is not.`, orExample(info.accountID), arn)
			} else if a, _ := model.ParseARN(arn); s.in.ok && a.Account != info.accountID {
				s.errorf(rng, "Role in another account",
					"role_arn is a role in account %s, but this block declares account %s. The role assumed to reach an account must be in that account: use arn:%s:iam::%s:role/NAME.",
					a.Account, info.accountID, info.partition, info.accountID)
			}
			cfg.RoleARN = arn
		}
		if id, st := s.str(ar, "external_id"); st == valid {
			if !validExternalID(id) {
				s.errorf(ar.attrs["external_id"].Expr.Range(), "Invalid external id",
					"An ExternalId must be 2 to 1224 characters of letters, digits and + = , . @ : / _ -; %q is not.", id)
			}
			cfg.ExternalID = id
		}
		if n, st := s.str(ar, "session_name"); st == valid {
			if !sessionNameRe.MatchString(n) {
				s.errorf(ar.attrs["session_name"].Expr.Range(), "Invalid session name",
					"A role session name must be 2 to 64 characters of letters, digits and + = , . @ _ -; %q is not.", n)
			}
			cfg.SessionName = n
		}
		if sec, st := s.integer(ar, "duration"); st == valid {
			if sec < 900 || sec > 43200 {
				s.errorf(ar.attrs["duration"].Expr.Range(), "Invalid duration",
					"duration is in seconds and must be between 900 (15 minutes) and 43200 (12 hours); %d is not.", sec)
			}
			cfg.Duration = sec
		}
		out.AssumeRole = cfg
	}
	return out
}

func orExample(id string) string {
	if id == "" {
		return "999999999999"
	}
	return id
}

func (s *scope) groupBody(d *decoded, src model.Source) *model.GroupConfig {
	out := &model.GroupConfig{
		Address: s.in.addr,
		Account: s.accountID(),
		Name:    s.in.info.name,
		Source:  src,
	}
	out.Existing, _ = s.boolean(d, "existing")
	out.Adopt, _ = s.boolean(d, "adopt")
	if out.Adopt {
		out.Path = s.in.info.path
	}
	out.ManagedPolicies, out.InlinePolicies = s.principalPolicies(d, "group", out.Account, out.Existing)
	return out
}

// principalPolicies reads the managed policies and inline policies of a
// group or user. An existing = true principal is not the stack's: declaring
// its policies would claim them, so it takes neither.
func (s *scope) principalPolicies(d *decoded, kind, account string, existing bool) ([]string, map[string]string) {
	if existing {
		if a := d.attrs["managed_policies"]; a != nil {
			s.errorf(a.NameRange, "Policies of an existing "+kind,
				"An existing = true %s is not the stack's: its attached policies are left as they are. Remove managed_policies, or adopt the %s (adopt = true instead of existing = true) to manage them.", kind, kind)
		}
		for _, ip := range d.children("inline_policy") {
			s.errorf(ip.block.DefRange, "Policies of an existing "+kind,
				"An existing = true %s is not the stack's: its inline policies other than the stack's grants and denies are left as they are. Use a grant or deny, or adopt the %s (adopt = true instead of existing = true).", kind, kind)
		}
		return nil, nil
	}
	return s.attachedPolicies(d, kind, account), s.inlinePolicies(d)
}

// attachedPolicies reads managed_policies: policies of the block's own
// account, or AWS managed ones.
func (s *scope) attachedPolicies(d *decoded, kind, account string) []string {
	var out []string
	policies, ranges, _ := s.refList(d, "managed_policies", policyRule)
	for i, p := range policies {
		a, _ := model.ParseARN(p.arn)
		owner := a.Account
		if s.in.ok && owner != "aws" && owner != account {
			s.errorf(ranges[i], "Policy in another account",
				"%s is a managed policy of account %s; %s %s in account %s can only have policies of its own account or AWS managed policies attached. Declare the policy in account %s.",
				p.arn, owner, article(kind), kind, account, account)
			continue
		}
		out = appendNew(out, p.arn)
	}
	return out
}

// boundary reads permissions_boundary: a managed policy of the block's own
// account or an AWS managed one, as for managed_policies (IAM's
// PutRolePermissionsBoundary takes any managed policy ARN; a policy of
// another account is not one the account can use).
func (s *scope) boundary(d *decoded, kind, account string) string {
	p, st := s.ref(d, "permissions_boundary", policyRule)
	if st != valid {
		return ""
	}
	a, _ := model.ParseARN(p.arn)
	if s.in.ok && a.Account != "aws" && a.Account != account {
		s.errorf(d.attrs["permissions_boundary"].Expr.Range(), "Boundary policy in another account",
			"%s is a managed policy of account %s; the permissions boundary of %s %s in account %s must be a policy of its own account or an AWS managed policy. Declare the policy in account %s.",
			p.arn, a.Account, article(kind), kind, account, account)
		return ""
	}
	return p.arn
}

// inlinePolicies reads the inline_policy blocks of a role, group or user.
func (s *scope) inlinePolicies(d *decoded) map[string]string {
	out := map[string]string{}
	for _, ip := range d.children("inline_policy") {
		name := ip.block.Labels[0]
		okName := s.checkName("inline_policy", name, ip.block.LabelRanges[0])
		if doc, st := s.permissions(ip, "inline_policy"); st == valid && okName {
			out[name] = doc
		}
	}
	return out
}

func (s *scope) userBody(d *decoded, src model.Source) *model.UserConfig {
	out := &model.UserConfig{
		Address: s.in.addr,
		Account: s.accountID(),
		Name:    s.in.info.name,
		Path:    s.in.info.path,
		Source:  src,
	}
	out.Existing, _ = s.boolean(d, "existing")
	out.Adopt, _ = s.boolean(d, "adopt")
	out.Tags, _ = s.tags(d)
	out.ManagedPolicies, out.InlinePolicies = s.principalPolicies(d, "user", out.Account, out.Existing)
	if a := d.attrs["permissions_boundary"]; a != nil && out.Existing {
		s.errorf(a.NameRange, "Boundary of an existing user",
			"An existing = true user is not the stack's: its permissions boundary is left as it is. Remove permissions_boundary, or adopt the user (adopt = true instead of existing = true) to manage it.")
	} else {
		out.PermissionsBoundary = s.boundary(d, "user", out.Account)
	}
	groups, ranges, _ := s.refList(d, "groups", groupRule)
	for i, g := range groups {
		if s.in.ok && g.info.accountID != out.Account {
			s.errorf(ranges[i], "Group in another account",
				"%s is in account %s, but %s is in account %s. An IAM group holds only users of its own account: declare the user in account %s, or use a group of account %s.",
				g.info.addr, g.info.accountID, s.in.addr, out.Account, g.info.accountID, out.Account)
			continue
		}
		out.Groups = append(out.Groups, g.info.name)
	}
	return out
}

func (s *scope) policyBody(d *decoded, src model.Source) *model.PolicyConfig {
	out := &model.PolicyConfig{
		Address: s.in.addr,
		Account: s.accountID(),
		Name:    s.in.info.name,
		Path:    s.in.info.path,
		Source:  src,
	}
	marker := ownership.PolicyOwnerMarker(s.l.stackName)
	out.Description = s.descriptionWithin(d, 1000-len(marker)-1, ", and trustform appends "+strconv.Quote(marker)+" (after a space) to a managed policy's description to record that the stack owns it")
	if a := d.attrs["tags"]; a != nil {
		s.errorf(a.NameRange, "Managed policy tags are not supported",
			"IAM's one-call account read (GetAccountAuthorizationDetails) returns managed policies without their tags, so trustform could not see a change to them without one call per policy on every plan. Remove tags from this policy block; roles and users take tags.")
	}
	out.Document, _ = s.permissions(d, "policy")
	out.Adopt, _ = s.boolean(d, "adopt")
	return out
}

func (s *scope) roleBody(d *decoded, src model.Source) *model.RoleConfig {
	out := &model.RoleConfig{
		Address:            s.in.addr,
		Account:            s.accountID(),
		Name:               s.in.info.name,
		Path:               s.in.info.path,
		MaxSessionDuration: model.DefaultMaxSessionDuration,
		InlinePolicies:     map[string]string{},
		Source:             src,
	}
	out.Description = s.description(d)
	if sec, st := s.integer(d, "max_session_duration"); st == valid {
		if sec < model.MinMaxSessionDuration || sec > model.MaxMaxSessionDuration {
			s.errorf(d.attrs["max_session_duration"].Expr.Range(), "Invalid max_session_duration",
				"max_session_duration is in seconds and must be between 3600 (1 hour) and 43200 (12 hours); %d is not.", sec)
		}
		out.MaxSessionDuration = sec
	}
	out.TrustDocument, _ = s.trustPolicy(d)
	out.ManagedPolicies = s.attachedPolicies(d, "role", out.Account)
	out.PermissionsBoundary = s.boundary(d, "role", out.Account)
	out.InlinePolicies = s.inlinePolicies(d)
	out.Tags, _ = s.tags(d)
	out.Adopt, _ = s.boolean(d, "adopt")
	return out
}

// trustsOnlyRule takes what a trust policy can name: accounts, roles and
// users, by reference or ARN.
var trustsOnlyRule = refRule{
	what: "an account, role or user", example: "account.development", kinds: []string{"user", "role", "account"},
	arn: PrincipalARNPattern, arnWhat: `a principal ARN such as "arn:aws:iam::111111111111:role/Source"`,
	kindHint: map[string]string{
		"group":  " IAM does not allow groups as principals, so no trust policy names one: list the group's account.",
		"policy": " A policy is not a principal.",
	},
}

// principalRefOrARN is principalRef for a target that may be an ARN given
// as a string: a principal of an account the stack does not declare.
func principalRefOrARN(t target) model.PrincipalRef {
	if t.info != nil {
		return principalRef(t)
	}
	p, err := model.ParsePrincipal(t.arn)
	if err != nil {
		return model.PrincipalRef{ARN: t.arn}
	}
	if p.Kind == model.PrincipalRoot {
		return model.PrincipalRef{Kind: model.KindAccount, Account: p.Account, Name: p.Account, ARN: t.arn}
	}
	// A session stands for its role, as its key does.
	if kind, ok := p.ObjectKind(); ok {
		return model.PrincipalRef{Kind: kind, Account: p.Account, Name: p.Name, ARN: t.arn}
	}
	return model.PrincipalRef{ARN: t.arn}
}

func principalRef(t target) model.PrincipalRef {
	kind := model.KindRole
	switch t.info.kind {
	case "group":
		kind = model.KindGroup
	case "user":
		kind = model.KindUser
	case "account":
		kind = model.KindAccount
	}
	return model.PrincipalRef{Kind: kind, Account: t.info.accountID, Name: t.info.name, ARN: t.info.arn}
}

func (s *scope) grantBody(typ string, d *decoded, src model.Source) *model.GrantConfig {
	out := &model.GrantConfig{Address: s.in.addr, Effect: "Allow", Source: src}
	if typ == "deny" {
		out.Effect = "Deny"
	}
	to, toRanges, st := s.refList(d, "to", grantToRule)
	for _, t := range to {
		out.To = append(out.To, principalRef(t))
	}
	if st == valid && len(to) == 0 {
		s.errorf(d.attrs["to"].Expr.Range(), "Empty to", "A %s with no principals does nothing. List the groups, users or roles it applies to, such as to = [group.developers].", typ)
	}
	roles, _, st := s.refList(d, "roles", roleRule)
	for _, r := range roles {
		out.Roles = appendNew(out.Roles, r.arn)
	}
	if st == valid && len(roles) == 0 {
		s.errorf(d.attrs["roles"].Expr.Range(), "Empty roles", "A %s with no roles does nothing. List the roles, such as roles = [role.update_app].", typ)
	}
	if name, st := s.str(d, "policy_name"); st == valid {
		if s.checkName("inline_policy", name, d.attrs["policy_name"].Expr.Range()) {
			out.PolicyName = name
		}
		for i, t := range to {
			if t.info.existing {
				s.errorf(toRanges[i], "policy_name on an existing "+t.info.kind,
					"%s is existing = true: the stack knows its own inline policies on a %s it does not own by their name, which starts with %q, so a %s to it cannot choose the name. Remove policy_name, or adopt the %s (adopt = true instead of existing = true).",
					t.info.addr, t.info.kind, ownership.InlinePrefix(s.l.stackName), typ, t.info.kind)
			}
		}
	}
	return out
}

// expectBody reads one of the three forms of an expect block.
func (s *scope) expectBody(d *decoded, src model.Source) *model.ExpectConfig {
	out := &model.ExpectConfig{Address: s.in.addr, Source: src}
	has := func(n string) bool { return d.attrs[n] != nil }
	forms := 0
	for _, set := range []bool{has("can_assume"), has("cannot_assume"), has("assumable_only_by"), has("trusts_only"),
		has("role") && !has("assumable_only_by") && !has("trusts_only")} {
		if set {
			forms++
		}
	}
	const help = "An expect block takes one of these forms:\n" +
		"  principal = user.david\n  can_assume = role.update_app\n" +
		"or\n  principal = user.tess\n  cannot_assume = role.update_app\n" +
		"or\n  role = role.update_app\n  assumable_only_by = [group.developers]" +
		"\nor\n  role = role.update_app\n  trusts_only = [account.development]"
	switch {
	case forms == 0:
		s.errorf(d.block.DefRange, "Incomplete expectation", "This expect block states nothing. %s", help)
		return out
	case forms > 1:
		s.errorf(d.block.DefRange, "Mixed expectation forms", "This expect block mixes forms; split it into one block per expectation. %s", help)
		return out
	}
	required := func(names ...string) bool {
		ok := true
		for _, n := range names {
			if !has(n) {
				s.errorf(d.block.DefRange, "Missing required argument", "This expectation needs %q as well. %s", n, help)
				ok = false
			}
		}
		return ok
	}
	if has("can_assume") || has("cannot_assume") {
		if has("principal") {
			if p, st := s.ref(d, "principal", actorRule); st == valid {
				ref := principalRef(p)
				out.Principal = &ref
			}
		} else {
			required("principal")
		}
		if t, st := s.ref(d, "can_assume", roleRule); st == valid {
			out.CanAssume = t.arn
		}
		if t, st := s.ref(d, "cannot_assume", roleRule); st == valid {
			out.CannotAssume = t.arn
		}
		return out
	}
	if has("principal") {
		s.errorf(d.attrs["principal"].NameRange, "Mixed expectation forms",
			"principal goes with can_assume or cannot_assume, not with assumable_only_by or trusts_only. %s", help)
	}
	if has("trusts_only") {
		if !required("role") {
			return out
		}
		if t, st := s.ref(d, "role", roleRule); st == valid {
			out.Role = t.arn
		}
		list, _, _ := s.refList(d, "trusts_only", trustsOnlyRule)
		out.TrustsOnly = []model.PrincipalRef{}
		for _, t := range list {
			out.TrustsOnly = append(out.TrustsOnly, principalRefOrARN(t))
		}
		return out
	}
	if !required("role", "assumable_only_by") {
		return out
	}
	if t, st := s.ref(d, "role", roleRule); st == valid {
		out.Role = t.arn
	}
	by, _, _ := s.refList(d, "assumable_only_by", onlyByRule)
	out.AssumableOnlyBy = []model.PrincipalRef{}
	for _, t := range by {
		out.AssumableOnlyBy = append(out.AssumableOnlyBy, principalRef(t))
	}
	return out
}
