package ownership

import (
	"crypto/sha256"
	"encoding/base64"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/policy"
)

// How trustform knows what it owns, without a state file. The record lives in
// the accounts themselves, on each object, in the cheapest form IAM allows:
//
//   - roles and users carry the tag OwnerTagKey = <stack name>, which
//     GetAccountAuthorizationDetails returns with them;
//   - customer-managed policies: IAM's account read lists them without
//     tags, so ownership is recorded at the end of their description,
//     PolicyOwnerMarker(stack), e.g. "[trustform:devprod]": a description
//     cannot change after creation, so the marker cannot drift and reading
//     it costs no call per policy;
//   - groups cannot be tagged, so an owned group is created under the path
//     OwnedGroupPath(stack), e.g. /trustform/devprod/;
//   - inline policies cannot be tagged either: on a principal the stack owns,
//     every inline policy is the stack's (the block declares the whole set)
//     but those named with another stack's prefix, which that stack put there
//     on a principal it declares existing = true; on a principal it does not
//     own (existing = true), the stack's inline policies are those whose name
//     starts with InlinePrefix(stack);
//   - attachments belong to the owned principal they hang off; a membership
//     to the owned user, or else the owned group, as the stack declares them
//     (existing = true gives a principal back) — a user another stack owns
//     has its memberships managed by that stack alone (differ.memberships).

// OwnerTagKey is the tag that marks a role or user as owned.
const OwnerTagKey = "trustform:stack"

// PolicyOwnerMarker ends the description of every managed policy a stack owns.
func PolicyOwnerMarker(stack string) string { return "[trustform:" + stack + "]" }

// PolicyDescription is the description a stack gives a managed policy: the
// declared one followed by the ownership marker.
func PolicyDescription(declared, stack string) string {
	if declared == "" {
		return PolicyOwnerMarker(stack)
	}
	return declared + " " + PolicyOwnerMarker(stack)
}

// OwnedGroupPath is the path of the groups a stack creates.
func OwnedGroupPath(stack string) string { return "/trustform/" + stack + "/" }

// InlinePrefix starts the name of every inline policy the stack puts on a
// principal it does not own (grants and denies).
func InlinePrefix(stack string) string { return "trustform." + stack + "." }

// MarkOwnership sets the Owned flag of every role, policy, group and user of
// an account read from a target, following the rules above.
func MarkOwnership(a *model.Account, stack string) {
	for _, r := range a.Roles {
		r.Owned = r.Tags[OwnerTagKey] == stack
	}
	for _, p := range a.Policies {
		p.Owned = strings.HasSuffix(p.Description, PolicyOwnerMarker(stack))
	}
	for _, g := range a.Groups {
		g.Owned = g.Path == OwnedGroupPath(stack)
	}
	for _, u := range a.Users {
		u.Owned = u.Tags[OwnerTagKey] == stack
	}
	markAdopted(a, stack)
}

// OwnsInline reports whether the stack owns an inline policy of a principal.
// On a principal it owns, that is every inline policy but those named with
// another stack's prefix: the grants and denies of a stack that declares the
// principal existing = true.
func OwnsInline(principalOwned bool, stack, policyName string) bool {
	if strings.HasPrefix(policyName, InlinePrefix(stack)) {
		return true
	}
	return principalOwned && InlineOwner(policyName) == ""
}

// inlinePrefixPattern matches the prefix of a stack's inline policy names:
// stack names hold no dot, so the stack is the second part.
var inlinePrefixPattern = regexp.MustCompile(`^trustform\.([A-Za-z0-9_-]+)\.`)

// InlineOwner returns the stack whose prefix an inline policy name carries,
// or "" for a name without one.
func InlineOwner(policyName string) string {
	if m := inlinePrefixPattern.FindStringSubmatch(policyName); m != nil {
		return m[1]
	}
	return ""
}

// Adoption. An object that existed before the stack (declared with
// adopt = true) cannot always carry the marker above: a managed policy's
// description cannot change, and a group's path is part of its ARN, which
// other policies name. Roles and users simply receive the tag. For groups
// and managed policies the stack keeps a ledger instead: a managed policy of
// its own (the description marker makes it the stack's) whose one statement
// lists the ARNs of the adopted objects as resources. The account read
// returns it with every other policy, so knowing what was adopted costs no
// call, and the ledger is visible to anyone who looks at the account.
//
// The statement denies an action no AWS service has, so the ledger grants
// and denies nothing even if someone attaches it.

// LedgerAction is the action of the ledger's statement.
const LedgerAction = "trustform:AdoptedByStack"

// ledgerSid names the ledger's statement for people reading it.
const ledgerSid = "TrustformAdoptedObjects"

// LedgerAddress stands in for a block address in plans: no block declares the
// ledger, the adopted blocks imply it.
const LedgerAddress = "adoption_ledger"

// ledgerBudget keeps each ledger document under IAM's 6,144-character limit
// for managed policies, with room for the statement around the ARNs.
const ledgerBudget = 6000

// LedgerName is the name of the stack's n-th ledger policy (from 0): a large
// adoption takes more than one, since a managed policy holds about a hundred
// ARNs.
func LedgerName(stack string, n int) string {
	return numberedName("trustform."+stack+".adopted", n)
}

// IsLedger reports whether a managed policy name is one of the stack's ledgers.
func IsLedger(stack, name string) bool {
	return isNumberedName(LedgerName(stack, 0), name)
}

// numberedName is the n-th (from 0) of a series of policies named after
// base: base, base.2, base.3, …
func numberedName(base string, n int) string {
	if n > 0 {
		return base + "." + strconv.Itoa(n+1)
	}
	return base
}

// isNumberedName reports whether name is one of the series numberedName
// makes from base (names compared as IAM compares them).
func isNumberedName(base, name string) bool {
	if model.NameKey(name) == model.NameKey(base) {
		return true
	}
	rest, ok := strings.CutPrefix(model.NameKey(name), model.NameKey(base)+".")
	if !ok || rest == "" {
		return false
	}
	_, err := strconv.Atoi(rest)
	return err == nil
}

// LedgerDescription is the description of a stack's ledger policies.
func LedgerDescription(stack string) string {
	return PolicyDescription("Objects adopted by trustform stack "+stack+"; trustform keeps this list, do not edit it.", stack)
}

// LedgerDocument renders a ledger's policy document for a set of ARNs.
func LedgerDocument(arns []string) string {
	return policy.Document{Version: policy.Version, Statements: []policy.Statement{{
		Sid: ledgerSid, Effect: "Deny", Actions: []string{LedgerAction}, Resources: slices.Sorted(slices.Values(arns)),
	}}}.JSON()
}

// LedgerEntries returns the ARNs a ledger document lists; a document that is
// not a ledger lists none.
func LedgerEntries(doc string) []string {
	d, err := policy.Parse(doc)
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range d.Statements {
		if s.Effect == "Deny" && len(s.Actions) == 1 && s.Actions[0] == LedgerAction {
			out = append(out, s.Resources...)
		}
	}
	return out
}

// Ledgers packs a set of adopted ARNs into ledger policies for a stack: the
// fewest documents under IAM's size limit, filled in ARN order so that
// adding one object changes as few ledgers as possible.
func Ledgers(stack, partition, account string, arns []string) []*model.ManagedPolicy {
	sorted := slices.Sorted(slices.Values(arns))
	var out []*model.ManagedPolicy
	for _, batch := range pack(sorted, func(arn string) int { return len(arn) + 3 }, ledgerBudget-200) {
		out = append(out, &model.ManagedPolicy{
			Name: LedgerName(stack, len(out)), Path: OwnedGroupPath(stack), Description: LedgerDescription(stack),
			Document: LedgerDocument(batch), Owned: true,
		})
	}
	return out
}

// pack splits items, in order, into the fewest runs whose sizes add up to
// at most budget each (an item larger than budget has a run of its own):
// how the stack's records fill managed policies under IAM's size limit.
func pack[T any](items []T, size func(T) int, budget int) [][]T {
	var out [][]T
	var batch []T
	used := 0
	for _, it := range items {
		n := size(it)
		if len(batch) > 0 && used+n > budget {
			out, batch, used = append(out, batch), nil, 0
		}
		batch = append(batch, it)
		used += n
	}
	if len(batch) > 0 {
		out = append(out, batch)
	}
	return out
}

// AdoptedARNs returns the ARNs the stack's ledgers in an account list.
func AdoptedARNs(a *model.Account, stack string) map[string]bool {
	out := map[string]bool{}
	for _, p := range a.Policies {
		if p.Owned && IsLedger(stack, p.Name) {
			for _, arn := range LedgerEntries(p.Document) {
				out[arn] = true
			}
		}
	}
	return out
}

// markAdopted sets Owned on the groups and managed policies the stack's
// ledgers list. It runs after the marker rules, which decide the ledgers' own
// ownership.
func markAdopted(a *model.Account, stack string) {
	adopted := AdoptedARNs(a, stack)
	if len(adopted) == 0 {
		return
	}
	// An entry never outweighs another stack's marker: the object it listed
	// may have been deleted and made again by that stack under the same ARN.
	for _, g := range a.Groups {
		if adopted[model.GroupARN(a.Partition, a.ID, g.Path, g.Name)] && MarkedBy(g) == "" {
			g.Owned = true
		}
	}
	for _, p := range a.Policies {
		if adopted[model.PolicyARN(a.Partition, a.ID, p.Path, p.Name)] && MarkedBy(p) == "" {
			p.Owned = true
		}
	}
}

// MarkedBy returns the stack whose ownership marker an object carries — a
// role's or user's tag, a group's path, the end of a managed policy's
// description — or "" for none (an adopted group or policy has none of its
// own: the ledger lists it). MarkOwnership, on the read path of every
// object, compares with one stack's marker directly instead.
func MarkedBy(o model.Object) string {
	switch o := o.(type) {
	case *model.Role:
		return o.Tags[OwnerTagKey]
	case *model.User:
		return o.Tags[OwnerTagKey]
	case *model.Group:
		if s, ok := strings.CutPrefix(o.Path, "/trustform/"); ok {
			return strings.TrimSuffix(s, "/")
		}
	case *model.ManagedPolicy:
		if m := foreignMarker.FindStringSubmatch(o.Description); m != nil {
			return m[1]
		}
	}
	return ""
}

var foreignMarker = regexp.MustCompile(`\[trustform:([\w+=,.@-]+)\]$`)

// OtherOwner returns the name of another trustform stack that owns an object
// read from an account, or "" when none does: such an object is never
// adopted. To ask of many objects of one account, use ForeignOwners, which
// reads the account's ledgers once.
func OtherOwner(a *model.Account, stack string, kind model.Kind, name string) string {
	return ForeignOwners(a, stack)(kind, name)
}

// ForeignOwners returns OtherOwner for one account and stack, with the
// ledgers of the account's other stacks indexed once: import asks it of
// every object of an account.
func ForeignOwners(a *model.Account, stack string) func(kind model.Kind, name string) string {
	var ledgered map[string]string // ARN → the other stack whose ledger lists it
	ledgeredBy := func(arn string) string {
		if ledgered == nil {
			ledgered = map[string]string{}
			for _, p := range a.Policies {
				m := foreignMarker.FindStringSubmatch(p.Description)
				if m == nil || m[1] == stack || !IsLedger(m[1], p.Name) {
					continue
				}
				for _, entry := range LedgerEntries(p.Document) {
					ledgered[entry] = m[1]
				}
			}
		}
		return ledgered[arn]
	}
	other := func(s string) string {
		if s != "" && s != stack {
			return s
		}
		return ""
	}
	return func(kind model.Kind, name string) string {
		switch kind {
		case model.KindRole:
			if r := a.Roles[model.NameKey(name)]; r != nil {
				return other(MarkedBy(r))
			}
		case model.KindUser:
			if u := a.Users[model.NameKey(name)]; u != nil {
				return other(MarkedBy(u))
			}
		case model.KindGroup:
			if g := a.Groups[model.NameKey(name)]; g != nil {
				if s := MarkedBy(g); s != "" {
					return other(s)
				}
				return ledgeredBy(model.GroupARN(a.Partition, a.ID, g.Path, g.Name))
			}
		case model.KindPolicy:
			if p := a.Policies[model.NameKey(name)]; p != nil {
				if s := MarkedBy(p); s != "" {
					return other(s)
				}
				return ledgeredBy(model.PolicyARN(a.Partition, a.ID, p.Path, p.Name))
			}
		}
		return ""
	}
}

// SameDescription compares managed policy descriptions as the stack sees
// them: with or without its ownership marker, since an adopted policy keeps
// the description it was created with.
func SameDescription(a, b, stack string) bool {
	strip := func(s string) string {
		return strings.TrimSpace(strings.TrimSuffix(s, PolicyOwnerMarker(stack)))
	}
	return strip(a) == strip(b)
}

// The record of what a stack applied. Without a state file, the stack cannot
// tell from the account alone whether an inline policy on a role it owns was
// declared and since removed from the stack, or put there by someone else;
// nor whether a document differs because the stack changed or because the
// account did. So every role and user the stack owns carries, next to the
// ownership tag, a digest of what the stack applied to it: a short hash of
// its own attributes and, for each child (inline policy, attachment, group
// membership), a short hash of its identity and of its content. IAM's
// account read returns the tags with the principal, so reading the record
// costs no call. The desired state computes it (Desired), so a plan that
// changes a child also rewrites the tag; Order writes it after the children
// it covers.
//
// The record labels changes (Change.Drift); it never decides what the plan
// does: ownership alone does, as before. A wrong or missing record can only
// mislabel a change.
//
// Groups cannot be tagged and managed policies are read without tags, so
// they carry no record: their changes are labelled DriftUnknown where the
// label matters (updates and deletes).

// AppliedTagKey is the tag holding a principal's record; a record longer than
// one tag value continues in AppliedTagKey+":2", ":3", and so on.
const AppliedTagKey = "trustform:applied"

// appliedFormat starts every record; a record that does not start with it
// (written by a later trustform, or by hand) reads as none.
const appliedFormat = "1."

// maxTagValue is IAM's limit on a tag value's length.
const maxTagValue = 256

// IsAppliedTag reports whether a tag key holds part of a record.
func IsAppliedTag(key string) bool {
	rest, ok := strings.CutPrefix(key, AppliedTagKey)
	if !ok {
		return false
	}
	if rest == "" {
		return true
	}
	n, err := strconv.Atoi(strings.TrimPrefix(rest, ":"))
	return strings.HasPrefix(rest, ":") && err == nil && n >= 2
}

func appliedTagKey(n int) string {
	if n == 0 {
		return AppliedTagKey
	}
	return AppliedTagKey + ":" + strconv.Itoa(n+1)
}

// record is a decoded record: the hash of the principal's own attributes and,
// per child identity hash, the hash of its content.
type record struct {
	principal string
	children  map[string]string
}

// hashed returns n characters of URL-safe base64 of the SHA-256 of s: 6
// bits a character, 24 bits for a child's identity or content (a collision
// among one principal's children mislabels a change, nothing more), 48 for
// the principal.
func hashed(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:n]
}

const childHash, principalHash = 4, 8

func canonicalDoc(doc string) string {
	d, err := policy.Parse(doc)
	if err != nil {
		return strings.TrimSpace(doc)
	}
	return d.CanonicalJSON()
}

// Child identities and contents, as the record hashes them.
func InlineID(name string) string     { return hashed("inline\x00"+name, childHash) }
func InlineContent(doc string) string { return hashed(canonicalDoc(doc), childHash) }
func AttachmentID(arn string) string  { return hashed("attachment\x00"+arn, childHash) }
func MembershipID(group string) string {
	return hashed("membership\x00"+model.NameKey(group), childHash)
}
func presenceContent(id string) string { return id }
func ownTags(tags map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if !IsAppliedTag(k) {
			b.WriteString(k + "=" + tags[k] + "\x00")
		}
	}
	return b.String()
}

func RolePrincipalHash(r *model.Role) string {
	parts := []string{"role", model.PathOr(r.Path), r.Description, strconv.Itoa(r.MaxSessionDuration), canonicalDoc(r.TrustPolicy), ownTags(r.Tags)}
	return hashed(strings.Join(withBoundary(parts, r.PermissionsBoundary), "\x00"), principalHash)
}

func UserPrincipalHash(u *model.User) string {
	return hashed(strings.Join(withBoundary([]string{"user", model.PathOr(u.Path), ownTags(u.Tags)}, u.PermissionsBoundary), "\x00"), principalHash)
}

// withBoundary adds a permissions boundary to a principal's hashed
// attributes only when there is one, so that the records written before
// boundaries existed still match the principals they describe.
func withBoundary(parts []string, boundary string) []string {
	if boundary == "" {
		return parts
	}
	return append(parts, "boundary="+boundary)
}

// newRecord builds the record of a principal's attributes and children.
func newRecord(principal string, inline map[string]string, attached, groups []string) record {
	r := record{principal: principal, children: map[string]string{}}
	for name, doc := range inline {
		r.children[InlineID(name)] = InlineContent(doc)
	}
	for _, arn := range attached {
		id := AttachmentID(arn)
		r.children[id] = presenceContent(id)
	}
	for _, g := range groups {
		id := MembershipID(g)
		r.children[id] = presenceContent(id)
	}
	return r
}

// tags encodes the record as tag values: the format, the principal's hash,
// a dot, then each child's identity and content hashes, sorted, cut into
// values of at most 256 characters.
func (r record) tags() map[string]string {
	entries := make([]string, 0, len(r.children))
	for id, content := range r.children {
		entries = append(entries, id+content)
	}
	slices.Sort(entries)
	text := appliedFormat + r.principal + "." + strings.Join(entries, "")
	out := map[string]string{}
	for n := 0; text != ""; n++ {
		cut := min(len(text), maxTagValue)
		out[appliedTagKey(n)] = text[:cut]
		text = text[cut:]
	}
	return out
}

// readRecord decodes the record a principal's tags hold, if any.
func readRecord(tags map[string]string) (record, bool) {
	var b strings.Builder
	for n := 0; ; n++ {
		v, ok := tags[appliedTagKey(n)]
		if !ok {
			break
		}
		b.WriteString(v)
	}
	rest, ok := strings.CutPrefix(b.String(), appliedFormat)
	if !ok || len(rest) < principalHash+1 || rest[principalHash] != '.' {
		return record{}, false
	}
	r := record{principal: rest[:principalHash], children: map[string]string{}}
	body := rest[principalHash+1:]
	const entry = 2 * childHash
	if len(body)%entry != 0 {
		return record{}, false
	}
	for i := 0; i < len(body); i += entry {
		r.children[body[i:i+childHash]] = body[i+childHash : i+entry]
	}
	return r, true
}

// maxTags is IAM's quota of tags on one role or user ("IAM and AWS STS
// quotas": 50 tags per resource).
const maxTags = 50

// setRecord replaces a principal's record tags with rec's. A record that
// would take the principal past IAM's 50 tags is not written at all: the
// principal then has no record, and its changes read as "unknown" rather
// than the apply failing on a tag trustform added (the schema keeps two of
// the 50, but a principal with dozens of children needs more than one tag
// for its record).
func setRecord(tags map[string]string, rec record) {
	for k := range tags {
		if IsAppliedTag(k) {
			delete(tags, k)
		}
	}
	if recTags := rec.tags(); len(tags)+len(recTags) <= maxTags {
		maps.Copy(tags, recTags)
	}
}

// RecordRole and RecordUser write the record of a desired owned principal
// into its tags: what the stack will have applied once the plan is.
func RecordRole(r *model.Role) {
	setRecord(r.Tags, newRecord(RolePrincipalHash(r), r.InlinePolicies, r.AttachedPolicies, nil))
}

func RecordUser(u *model.User) {
	setRecord(u.Tags, newRecord(UserPrincipalHash(u), u.InlinePolicies, u.AttachedPolicies, u.Groups))
}

// InlineName is the name of the inline policy a grant puts on its principals.
func InlineName(g *model.GrantConfig, stack string) string {
	if g.PolicyName != "" {
		return g.PolicyName
	}
	return GrantPolicyName(stack, g.Address)
}

// GrantPolicyName is the name of the inline policy a grant or deny puts on each
// of its principals: the stack's inline prefix followed by the block address,
// e.g. trustform.devprod.grant.developers_update_app, with for_each keys
// joined by a dot and characters IAM does not allow in names replaced by "_".
func GrantPolicyName(stack, address string) string {
	a := strings.NewReplacer(`["`, ".", `"]`, "", "[", ".", "]", "").Replace(address)
	a = invalidNameChars.ReplaceAllString(a, "_")
	name := InlinePrefix(stack) + a
	if len(name) > 128 {
		name = name[:128]
	}
	return name
}

var invalidNameChars = regexp.MustCompile(`[^\w+=,.@-]`)
