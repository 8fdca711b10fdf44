package engine

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	"github.com/hashicorp/go-multierror"

	"github.com/trustform/trustform/engine/policy"
)

// Diff compares the actual state of the stack's accounts with the desired
// state and returns the changes that make actual match desired, touching only
// what the stack owns. Problems that make a plan unsafe (an object the stack
// would create exists and is not its own; an existing = true object is
// missing) are returned together as one error and no changes.
//
// cfg supplies block addresses and account names for messages; for destroy,
// pass an empty desired state with the same cfg.
func Diff(actual, desired *model.State, cfg *model.Config) ([]*model.Change, error) {
	d := &differ{stack: cfg.Stack.Name, sources: indexSources(cfg), names: newNamer(cfg)}
	for _, ac := range cfg.Managed() {
		d.accounts = append(d.accounts, model.AccountRef{Name: ac.Name, ID: ac.ID, Partition: ac.Partition})
	}
	for _, ref := range d.accounts {
		want := desired.Accounts[ref.ID]
		if want == nil {
			want = model.NewAccount(ref.ID, ref.Partition)
		}
		have := actual.Accounts[ref.ID]
		if have == nil {
			have = model.NewAccount(ref.ID, ref.Partition)
		}
		d.account(ref, have, want)
	}
	if err := d.errs.ErrorOrNil(); err != nil {
		return nil, err
	}
	return d.changes, nil
}

type differ struct {
	stack    string
	accounts []model.AccountRef
	sources  map[model.Key]declared
	names    *namer
	changes  []*model.Change
	errs     *multierror.Error
}

// declared is where a block that produced an object sits in the stack.
type declared struct {
	address string
	source  model.Source
}

func indexSources(cfg *model.Config) map[model.Key]declared {
	m := map[model.Key]declared{}
	at := func(k model.Key, d declared) { m[k] = d }
	for _, k := range kindTable {
		if k.sources != nil {
			k.sources(cfg, at)
		}
	}
	// A grant or deny declares the inline policy it puts on each principal.
	for _, g := range cfg.Grants {
		for _, to := range g.To {
			m[model.InlineKey(to.Account, to.Kind, to.Name, ownership.InlineName(g, cfg.Stack.Name))] = declared{g.Address, g.Source}
		}
	}
	return m
}

// principalSources records the block of a role, group or user as the source
// of the principal and of the inline policies and attachments it declares.
func principalSources(at func(model.Key, declared), account string, kind model.Kind, name string, inline map[string]string, attached []string, from declared) {
	at(model.PrincipalKey(account, kind, name), from)
	for policyName := range inline {
		at(model.InlineKey(account, kind, name, policyName), from)
	}
	for _, arn := range attached {
		at(model.AttachmentKey(account, kind, name, arn), from)
	}
}

func (d *differ) fail(format string, args ...any) {
	d.errs = multierror.Append(d.errs, fmt.Errorf(format, args...))
}

func (d *differ) add(c *model.Change) {
	c.Block = d.sources[c.Key].address
	c.Address = d.names.address(c)
	d.changes = append(d.changes, c)
}

// where names the block and file position behind a key, for messages.
func (d *differ) where(k model.Key) string {
	if s, ok := d.sources[k]; ok {
		return s.address + " (" + s.source.String() + ")"
	}
	return "the stack"
}

func acctLabel(ref model.AccountRef) string { return ref.Name + " (" + ref.ID + ")" }

// account diffs one account kind by kind (kindTable's order), then checks
// what only the whole account's changes show.
func (d *differ) account(ref model.AccountRef, have, want *model.Account) {
	for _, k := range kindTable {
		if k.diff != nil {
			k.diff(d, ref, have, want)
		}
	}
	d.checkPolicyDeletes(ref, have)
	d.ledger(ref, have, want)
}

// claim checks that an object the stack wants to own is either absent or
// already the stack's. Anything else is someone else's object: trustform never
// takes it over silently. The one way to take it over is to declare it with
// adopt = true, and then only if no other trustform stack owns it; claim
// reports that case as an adoption.
func (d *differ) claim(ref model.AccountRef, have *model.Account, key model.Key, kind, name string, exists, owned, adopt bool) (ok, adopting bool) {
	if !exists || owned {
		return true, false
	}
	if other := ownership.OtherOwner(have, d.stack, key.Kind, name); other != "" {
		d.fail("%s %q in account %s is not owned by stack %q but by trustform stack %q, declared by %s: a stack never takes over another stack's object; remove it from that stack first, or rename it here",
			kind, name, acctLabel(ref), d.stack, other, d.where(key))
		return false, false
	}
	if adopt {
		return true, true
	}
	hint := "rename it in the stack, delete the existing one, or adopt it (adopt = true; trustform import writes the block)"
	if kind == "group" || kind == "user" {
		hint += ", or declare it with existing = true if the stack should only add its grants to it"
	}
	d.fail("%s %q already exists in account %s and is not owned by stack %q, declared by %s: trustform never takes over an object silently; %s",
		kind, name, acctLabel(ref), d.stack, d.where(key), hint)
	return false, false
}

// expectExisting checks an existing = true object is really there.
func (d *differ) expectExisting(ref model.AccountRef, key model.Key, kind, name string, exists bool) bool {
	if exists {
		return true
	}
	d.fail("%s %q is declared with existing = true by %s but does not exist in account %s: create it outside trustform first, or remove existing = true so that the stack creates and owns it",
		kind, name, d.where(key), acctLabel(ref))
	return false
}

// principalParts is what the lifecycle of a principal compares of it.
type principalParts struct {
	name, path   string
	owned, adopt bool
	tags         map[string]string // nil for a group: groups cannot be tagged
	inline       map[string]string
	attached     []string
}

// principalKind is what the one lifecycle of a role, group or user needs to
// know of its kind.
type principalKind[T model.Object] struct {
	kind model.Kind
	noun string
	// in is where an account keeps the principals of the kind.
	in func(*model.Account) map[string]T
	// parts reads a principal; false for none.
	parts func(T) (principalParts, bool)
	// only is the principal without its children, which travel as changes
	// of their own.
	only func(T) T
	// attrs lists the attributes of a create or delete (one side nil), or
	// those that differ on an update.
	attrs func(have, want T) []model.AttrDiff
	// updates: the kind has attributes an update changes (a group has
	// none: its name and path are its ARN).
	updates bool
	// hash is the record's hash of the principal as read; nil for a kind
	// that carries no record.
	hash func(T) string
	// release gives an owned principal back (declared existing = true
	// after the stack owned it); nil for a kind that cannot be declared so.
	release func(T) T
	// moved is the failure when the declared path is not the path read.
	moved func(name, account, have, want, where string) string
}

// diffPrincipal is the lifecycle of a role, group or user and its inline
// policies and attachments: deleted when the stack owns it and no longer
// declares it; only its stack-named inline policies compared when the stack
// does not own it (existing = true); otherwise claimed (absent, owned, or
// adopted), created, moved never, updated or adopted.
func diffPrincipal[T model.Object](d *differ, k principalKind[T], ref model.AccountRef, acct *model.Account, have, want T) {
	h, hasHave := k.parts(have)
	w, hasWant := k.parts(want)
	if !hasWant {
		if !h.owned {
			d.children(ref, k.kind, h.name, ownership.NotOwned, ownership.History{Ours: true}, h.inline, nil, nil, nil)
			return
		}
		key := model.PrincipalKey(ref.ID, k.kind, h.name)
		d.children(ref, k.kind, h.name, ownership.OwnedDeleted, d.history(ref, k.kind, h.name, h.tags, true), h.inline, nil, h.attached, nil)
		d.add(&model.Change{Action: model.Delete, Kind: k.kind, Account: ref, Key: key, Before: k.only(have), Attrs: k.attrs(have, *new(T)), Drift: d.goneDrift(key)})
		return
	}
	key := model.PrincipalKey(ref.ID, k.kind, w.name)
	if !w.owned {
		if d.expectExisting(ref, key, k.noun, w.name, hasHave) {
			if h.owned && k.release != nil {
				released := k.release(have)
				d.add(&model.Change{Action: model.Update, Kind: k.kind, Account: ref, Key: key, Before: k.only(have), After: released, Attrs: k.attrs(k.only(have), released)})
			}
			d.children(ref, k.kind, h.name, ownership.NotOwned, ownership.History{Ours: true}, h.inline, w.inline, nil, nil)
		}
		return
	}
	ok, adopting := d.claim(ref, acct, key, k.noun, w.name, hasHave, hasHave && h.owned, w.adopt)
	if !ok {
		return
	}
	if !hasHave {
		d.add(&model.Change{Action: model.Create, Kind: k.kind, Account: ref, Key: key, After: k.only(want), Attrs: k.attrs(*new(T), want)})
		d.children(ref, k.kind, w.name, ownership.Owned, ownership.History{}, nil, w.inline, nil, w.attached)
		return
	}
	if h.path != w.path {
		d.fail("%s", k.moved(w.name, acctLabel(ref), h.path, w.path, d.where(key)))
		return
	}
	hist := ownership.History{}
	if k.hash != nil {
		hist = d.history(ref, k.kind, h.name, h.tags, false)
	}
	var attrs []model.AttrDiff
	if k.updates {
		attrs = k.attrs(have, want)
	}
	switch {
	case adopting:
		d.add(&model.Change{Action: model.Adopt, Kind: k.kind, Account: ref, Key: key, Before: k.only(have), After: k.only(want), Attrs: attrs})
	case len(attrs) > 0:
		d.add(&model.Change{Action: model.Update, Kind: k.kind, Account: ref, Key: key, Before: k.only(have), After: k.only(want), Attrs: attrs, Drift: hist.PrincipalDrift(k.hash(have), attrs)})
	}
	d.children(ref, k.kind, h.name, ownership.Owned, hist, h.inline, w.inline, h.attached, w.attached)
}

// walkPrincipals is the diff of a principal kind over an account: each
// principal declared, then each one read that the stack no longer declares.
func walkPrincipals[T model.Object](k principalKind[T]) func(d *differ, ref model.AccountRef, have, want *model.Account) {
	return func(d *differ, ref model.AccountRef, have, want *model.Account) {
		h, w := k.in(have), k.in(want)
		for _, name := range slices.Sorted(maps.Keys(w)) {
			diffPrincipal(d, k, ref, have, h[name], w[name])
		}
		for _, name := range slices.Sorted(maps.Keys(h)) {
			if wanted, ok := w[name]; !ok || model.Absent(wanted) {
				var none T
				diffPrincipal(d, k, ref, have, h[name], none)
			}
		}
	}
}

// history reads what the stack recorded of a principal's children.
func (d *differ) history(ref model.AccountRef, kind model.Kind, name string, tags map[string]string, gone bool) ownership.History {
	return ownership.ReadHistory(d.stack, tags, gone, d.sources[model.PrincipalKey(ref.ID, kind, name)].address != "")
}

// childDrift classifies the change of a child (see History.ChildDrift).
func (d *differ) childDrift(h ownership.History, action model.Action, key model.Key, id, content string) model.Drift {
	return h.ChildDrift(action, d.sources[key].address != "", id, content)
}

// goneDrift classifies the delete of a role, user, group or managed policy:
// its marker makes it the stack's, so it is either no longer declared or,
// when its block is there, destroyed.
func (d *differ) goneDrift(key model.Key) model.Drift {
	if d.sources[key].address != "" {
		return model.DriftNone
	}
	return model.DriftNoLongerDeclared
}

// children diffs the inline policies and attachments of one principal.
func (d *differ) children(ref model.AccountRef, kind model.Kind, principal string, scope ownership.Scope, h ownership.History, haveInline, wantInline map[string]string, haveAttached, wantAttached []string) {
	for _, name := range slices.Sorted(maps.Keys(wantInline)) {
		key := model.InlineKey(ref.ID, kind, principal, name)
		want := &model.InlinePolicy{PrincipalKind: kind, PrincipalName: principal, Name: name, Document: wantInline[name]}
		doc, ok := haveInline[name]
		switch {
		case !ok:
			d.add(&model.Change{Action: model.Create, Kind: model.KindInline, Account: ref, Key: key, After: want, Attrs: []model.AttrDiff{{Name: "document", After: want.Document, IsPolicy: true}},
				Drift: d.childDrift(h, model.Create, key, ownership.InlineID(name), "")})
		case !policy.Equivalent(doc, want.Document):
			have := &model.InlinePolicy{PrincipalKind: kind, PrincipalName: principal, Name: name, Document: doc}
			d.add(&model.Change{Action: model.Update, Kind: model.KindInline, Account: ref, Key: key, Before: have, After: want, Attrs: []model.AttrDiff{{Name: "document", Before: doc, After: want.Document, IsPolicy: true}},
				Drift: d.childDrift(h, model.Update, key, ownership.InlineID(name), ownership.InlineContent(doc))})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(haveInline)) {
		if _, ok := wantInline[name]; ok || (scope != ownership.OwnedDeleted && !ownership.OwnsInline(scope == ownership.Owned, d.stack, name)) {
			continue
		}
		key := model.InlineKey(ref.ID, kind, principal, name)
		have := &model.InlinePolicy{PrincipalKind: kind, PrincipalName: principal, Name: name, Document: haveInline[name]}
		d.add(&model.Change{Action: model.Delete, Kind: model.KindInline, Account: ref, Key: key, Before: have, Attrs: []model.AttrDiff{{Name: "document", Before: have.Document, IsPolicy: true}},
			Drift: d.childDrift(h, model.Delete, key, ownership.InlineID(name), "")})
	}
	if scope == ownership.NotOwned {
		return
	}
	for _, arn := range wantAttached {
		if !slices.Contains(haveAttached, arn) {
			key := model.AttachmentKey(ref.ID, kind, principal, arn)
			att := &model.Attachment{PrincipalKind: kind, PrincipalName: principal, PolicyARN: arn}
			d.add(&model.Change{Action: model.Create, Kind: model.KindAttachment, Account: ref, Key: key, After: att, Attrs: []model.AttrDiff{{Name: "policy_arn", After: arn}},
				Drift: d.childDrift(h, model.Create, key, ownership.AttachmentID(arn), "")})
		}
	}
	for _, arn := range haveAttached {
		if !slices.Contains(wantAttached, arn) {
			key := model.AttachmentKey(ref.ID, kind, principal, arn)
			att := &model.Attachment{PrincipalKind: kind, PrincipalName: principal, PolicyARN: arn}
			d.add(&model.Change{Action: model.Delete, Kind: model.KindAttachment, Account: ref, Key: key, Before: att, Attrs: []model.AttrDiff{{Name: "policy_arn", Before: arn}},
				Drift: d.childDrift(h, model.Delete, key, ownership.AttachmentID(arn), "")})
		}
	}
}

// memberships diffs group memberships. A membership is managed when its user
// or its group is owned by the stack; between an existing user and an
// existing group it is only checked, never changed. A user another stack
// owns has its memberships managed by that stack alone, so that two stacks
// never undo each other: an owned group neither adds nor removes it, only
// checks it, unless the group is deleted (IAM wants it empty first).
func (d *differ) memberships(ref model.AccountRef, have, want *model.Account) {
	type pair struct{ user, group string }
	othersUser := func(name string) string {
		if hu := have.Users[model.NameKey(name)]; hu != nil && ownership.MarkedBy(hu) != d.stack {
			return ownership.MarkedBy(hu) // "" when no stack owns it
		}
		return ""
	}
	wantSet := map[model.Key]pair{}
	for _, u := range want.Users {
		for _, g := range u.Groups {
			grp := want.Groups[model.NameKey(g)]
			key := model.MembershipKey(ref.ID, u.Name, g)
			other := othersUser(u.Name)
			if u.Owned || (grp != nil && grp.Owned && other == "") {
				wantSet[key] = pair{u.Name, g}
				continue
			}
			hu := have.Users[model.NameKey(u.Name)]
			if hu == nil || slices.ContainsFunc(hu.Groups, func(n string) bool { return model.NameKey(n) == model.NameKey(g) }) {
				continue
			}
			if other != "" {
				d.fail("user %q is declared by %s as a member of group %q, but in account %s it is not; the user belongs to trustform stack %q, which alone manages its memberships: add the group to the user's groups in that stack (once this stack has created it, if it is new), or remove it here",
					u.Name, d.where(model.PrincipalKey(ref.ID, model.KindUser, u.Name)), g, acctLabel(ref), other)
				continue
			}
			d.fail("user %q is declared by %s as a member of group %q, but in account %s it is not; both are existing = true, so trustform does not change their membership: add the user to the group outside trustform, or remove the group from the user's groups",
				u.Name, d.where(model.PrincipalKey(ref.ID, model.KindUser, u.Name)), g, acctLabel(ref))
		}
	}
	// On the actual side a membership is managed when its user or group is
	// owned once the plan is applied: a declared principal as declared (an
	// adopted one is Owned, so its memberships are not created again; one
	// declared existing = true is released, and its memberships are left
	// as they are), an undeclared one as read (an owned one is deleted, and
	// IAM wants it out of its groups first).
	userOwned := func(u *model.User) bool {
		if w := want.Users[model.NameKey(u.Name)]; w != nil {
			return w.Owned
		}
		return u.Owned
	}
	groupOwned := func(name string) (Owned, kept bool) {
		if w := want.Groups[model.NameKey(name)]; w != nil {
			return w.Owned, true
		}
		g := have.Groups[model.NameKey(name)]
		return g != nil && g.Owned, false
	}
	haveSet := map[model.Key]pair{}
	for _, u := range have.Users {
		other := othersUser(u.Name)
		for _, g := range u.Groups {
			gOwned, gKept := groupOwned(g)
			if userOwned(u) || (gOwned && (other == "" || !gKept)) {
				haveSet[model.MembershipKey(ref.ID, u.Name, g)] = pair{u.Name, g}
			}
		}
	}
	// A membership is recorded on its user when the stack owns the user;
	// through an owned group it has no record.
	hist := func(p pair) ownership.History {
		var tags map[string]string
		if hu := have.Users[model.NameKey(p.user)]; hu != nil {
			tags = hu.Tags
		}
		h := d.history(ref, model.KindUser, p.user, tags, want.Users[model.NameKey(p.user)] == nil)
		if !h.Gone || !h.Declared {
			g := model.PrincipalKey(ref.ID, model.KindGroup, p.group)
			h.Gone, h.Declared = want.Groups[model.NameKey(p.group)] == nil, d.sources[g].address != ""
		}
		return h
	}
	for _, k := range slices.SortedFunc(maps.Keys(wantSet), keyCompare) {
		if _, ok := haveSet[k]; !ok {
			p := wantSet[k]
			m := &model.Membership{User: p.user, Group: p.group}
			d.add(&model.Change{Action: model.Create, Kind: model.KindMembership, Account: ref, Key: k, After: m, Attrs: []model.AttrDiff{{Name: "user", After: p.user}, {Name: "group", After: p.group}},
				Drift: d.childDrift(hist(p), model.Create, k, ownership.MembershipID(p.group), "")})
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(haveSet), keyCompare) {
		if _, ok := wantSet[k]; !ok {
			p := haveSet[k]
			m := &model.Membership{User: p.user, Group: p.group}
			d.add(&model.Change{Action: model.Delete, Kind: model.KindMembership, Account: ref, Key: k, Before: m, Attrs: []model.AttrDiff{{Name: "user", Before: p.user}, {Name: "group", Before: p.group}},
				Drift: d.childDrift(hist(p), model.Delete, k, ownership.MembershipID(p.group), "")})
		}
	}
}

func keyCompare(a, b model.Key) int { return strings.Compare(a.String(), b.String()) }

// checkPolicyDeletes refuses to delete a managed policy that stays attached
// to a principal after the plan: IAM would refuse with DeleteConflict, and the
// principal may not be the stack's to detach.
func (d *differ) checkPolicyDeletes(ref model.AccountRef, have *model.Account) {
	detached := map[model.Key]bool{}
	for _, c := range d.changes {
		if c.Kind == model.KindAttachment && c.Action == model.Delete {
			detached[c.Key] = true
		}
	}
	for _, c := range d.changes {
		if c.Kind != model.KindPolicy || c.Action != model.Delete || c.Account.ID != ref.ID {
			continue
		}
		p := c.Before.(*model.ManagedPolicy)
		arn := model.PolicyARN(ref.Partition, ref.ID, p.Path, p.Name)
		check := func(kind model.Kind, name string, attached []string) {
			if slices.Contains(attached, arn) && !detached[model.AttachmentKey(ref.ID, kind, name, arn)] {
				d.fail("managed policy %q in account %s would be deleted, but it stays attached to %s %q, which the stack does not detach: detach it there first, or keep the policy block", p.Name, acctLabel(ref), kind, name)
			}
		}
		for _, r := range have.Roles {
			check(model.KindRole, r.Name, r.AttachedPolicies)
		}
		for _, g := range have.Groups {
			check(model.KindGroup, g.Name, g.AttachedPolicies)
		}
		for _, u := range have.Users {
			check(model.KindUser, u.Name, u.AttachedPolicies)
		}
	}
}

// attrs collects attribute differences; on a create or delete every
// attribute is listed, on an update only those that differ.
type attrs struct {
	out     []model.AttrDiff
	partial bool // update: only differences
}

func (a *attrs) str(name, before, after string) {
	if before == after && (a.partial || before == "") {
		return
	}
	a.out = append(a.out, model.AttrDiff{Name: name, Before: before, After: after})
}

func (a *attrs) doc(name, before, after string) {
	if a.partial && policy.Equivalent(before, after) {
		return
	}
	a.out = append(a.out, model.AttrDiff{Name: name, Before: before, After: after, IsPolicy: true})
}

func (a *attrs) tags(before, after map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(mergeKeys(before, after))) {
		b, hb := before[k]
		f, hf := after[k]
		if a.partial && hb == hf && b == f {
			continue
		}
		a.out = append(a.out, model.AttrDiff{Name: "tags." + k, Before: b, After: f})
	}
}

func mergeKeys(a, b map[string]string) map[string]bool {
	m := map[string]bool{}
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return m
}

func durationText(s int) string {
	if s == 0 {
		return ""
	}
	return strconv.Itoa(s)
}

// ledger keeps the stack's record of adopted groups and managed policies
// (see Adoption in engine/ownership) in line with the objects that will be owned
// after the plan without a marker of their own. It is rewritten only when
// that set changes, and runs after the changes that adopt, create or delete
// those objects (see Order), so that a run cut short never leaves a recorded
// object that the stack did not take over.
func (d *differ) ledger(ref model.AccountRef, have, want *model.Account) {
	var entries []string
	for _, g := range want.Groups {
		if g.Owned && g.Path != ownership.OwnedGroupPath(d.stack) {
			entries = append(entries, model.GroupARN(ref.Partition, ref.ID, g.Path, g.Name))
		}
	}
	for k, p := range want.Policies {
		if !p.Owned {
			continue
		}
		desc := p.Description
		if h := have.Policies[k]; h != nil {
			desc = h.Description
		}
		if !strings.HasSuffix(desc, ownership.PolicyOwnerMarker(d.stack)) {
			entries = append(entries, model.PolicyARN(ref.Partition, ref.ID, p.Path, p.Name))
		}
	}
	current := ownership.AdoptedARNs(have, d.stack)
	same := len(current) == len(entries)
	for _, arn := range entries {
		same = same && current[arn]
	}
	if same {
		return
	}
	wantLedgers := map[string]*model.ManagedPolicy{}
	for _, l := range ownership.Ledgers(d.stack, ref.Partition, ref.ID, entries) {
		wantLedgers[model.NameKey(l.Name)] = l
	}
	for _, k := range slices.Sorted(maps.Keys(wantLedgers)) {
		l, h := wantLedgers[k], have.Policies[k]
		key := model.PolicyKey(ref.ID, l.Name)
		switch {
		case h == nil:
			d.changes = append(d.changes, &model.Change{Action: model.Create, Kind: model.KindPolicy, Account: ref, Key: key, Block: ownership.LedgerAddress, Address: LedgerChangeAddress(ref, l.Name), After: l, Attrs: policyAttrs(nil, l)})
		case !h.Owned:
			d.fail("managed policy %q in account %s is not the stack's, but the stack needs the name for its record of adopted objects: rename or delete that policy", h.Name, acctLabel(ref))
		case !policy.Equivalent(h.Document, l.Document):
			after := l.Clone()
			after.Description = h.Description
			d.changes = append(d.changes, &model.Change{Action: model.Update, Kind: model.KindPolicy, Account: ref, Key: key, Block: ownership.LedgerAddress, Address: LedgerChangeAddress(ref, h.Name), Before: h, After: after, Attrs: policyAttrs(h, after)})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(have.Policies)) {
		h := have.Policies[k]
		if h.Owned && ownership.IsLedger(d.stack, h.Name) && wantLedgers[k] == nil {
			d.changes = append(d.changes, &model.Change{Action: model.Delete, Kind: model.KindPolicy, Account: ref, Key: model.PolicyKey(ref.ID, h.Name), Block: ownership.LedgerAddress, Address: LedgerChangeAddress(ref, h.Name), Before: h, Attrs: policyAttrs(h, nil)})
		}
	}
}
