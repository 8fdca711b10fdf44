package schema

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	"github.com/hashicorp/hcl/v2"
	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/policy"
	"github.com/zclconf/go-cty/cty"
)

// IAM's quotas on policy sizes and attachments are checked at their default
// values (engine.DefaultQuotas) unless Options.Quotas gives an account's
// real ones: providers/local enforces the defaults, and a stack that fits
// them fits every account. Sizes are counted as IAM counts them, in
// characters without whitespace (policy.Size). Checking them here makes
// validate and plan report them against the block at fault, before any API
// call; otherwise they surface as a LimitExceeded halfway through an apply.

// QuotaExceeded is the Extra of a diagnostic that reports a quota: the
// account whose quota it is. A caller that can read the account's real
// quotas (the aws target) may load again with them, since an account owner
// can have AWS raise a quota; the other diagnostics stand whatever the
// account.
type QuotaExceeded struct{ Account string }

// QuotaAccounts returns the accounts named by quota diagnostics, and whether
// every error in diags is one of them.
func QuotaAccounts(diags hcl.Diagnostics) (accounts []string, onlyQuotas bool) {
	onlyQuotas = diags.HasErrors()
	seen := map[string]bool{}
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		q, ok := d.Extra.(QuotaExceeded)
		if !ok {
			onlyQuotas = false
			continue
		}
		if !seen[q.Account] {
			seen[q.Account] = true
			accounts = append(accounts, q.Account)
		}
	}
	slices.Sort(accounts)
	return accounts, onlyQuotas
}

// quotas are the quotas of an account: given ones, else IAM's defaults.
func (l *loader) quotas(account string) engine.Quotas {
	if q, ok := l.opts.Quotas[account]; ok {
		return q
	}
	return engine.DefaultQuotas()
}

// quotaError reports a quota as a diagnostic its caller can recognise.
func (l *loader) quotaError(account string, rng hcl.Range, summary, format string, args ...any) {
	l.errorf(rng, summary, format, args...)
	l.diags[len(l.diags)-1].Extra = QuotaExceeded{Account: account}
}

// checkLimits reports the quotas a stack would exceed and the trust and
// grants that cross partitions. It runs on the assembled Config only when
// nothing else failed: with a block missing or half evaluated, sizes and
// partitions would be wrong, and the messages would repeat earlier errors in
// another form.
func (l *loader) checkLimits() {
	// The aggregate inline sizes must include what the stack's grants and
	// denies add to each principal, exactly as the engine renders them; the
	// engine's own Desired is the one place that knows (without the
	// records of what was applied, which sizes do not need). Its only error
	// is a grant to an undeclared principal, which references already rule
	// out.
	desired, _ := engine.DesiredPolicies(&l.cfg)
	for _, b := range l.blocks {
		for _, in := range b.instances {
			switch out := in.out.(type) {
			case *model.PolicyConfig:
				l.checkManagedPolicySize(b, in, out)
			case *model.RoleConfig:
				l.checkTrustPolicySize(b, in, out)
				l.checkAttachedPolicies(b, in, out)
				l.checkTrustPartitions(b, in, out)
				l.checkInlineSize(b, in, model.KindRole, out.Account, out.Name, false, desired)
			case *model.GroupConfig:
				l.checkInlineSize(b, in, model.KindGroup, out.Account, out.Name, out.Existing, desired)
			case *model.UserConfig:
				l.checkInlineSize(b, in, model.KindUser, out.Account, out.Name, out.Existing, desired)
			case *model.GrantConfig:
				l.checkGrantPartitions(b, in, out)
			}
		}
	}
}

// describe names an instance for messages: its address, and what IAM calls it.
func describe(in *instance, kind string) string {
	return fmt.Sprintf("%s (IAM %s %q in account %s)", in.addr, kind, in.info.name, in.info.accountID)
}

func (l *loader) checkManagedPolicySize(b *blockDecl, in *instance, p *model.PolicyConfig) {
	limit := l.quotas(p.Account).ManagedPolicySize
	if n := policy.Size(p.Document); n > limit {
		l.quotaError(p.Account, b.d.block.DefRange, "Managed policy too large",
			"The document of %s has %s characters without whitespace; IAM allows at most %s in a managed policy (PolicySize). "+
				"Split its statements across two policy blocks and attach both, or shorten it: one statement per set of actions, "+
				"wildcards such as \"s3:Get*\" or \"arn:aws:s3:::app-*\" instead of long lists.",
			describe(in, "policy"), thousands(n), thousands(limit))
	}
}

func (l *loader) checkTrustPolicySize(b *blockDecl, in *instance, r *model.RoleConfig) {
	n := policy.Size(r.TrustDocument)
	limit := l.quotas(r.Account).TrustPolicySize
	if n <= limit {
		return
	}
	rng := b.d.block.DefRange
	if a := b.d.attrs["trust_document"]; a != nil {
		rng = a.Expr.Range()
	}
	l.quotaError(r.Account, rng, "Trust policy too large",
		"The trust policy of %s has %s characters without whitespace; IAM allows at most %s in a role's trust policy (ACLSizePerRole). "+
			"Trust whole accounts (accounts = [account.NAME]) instead of listing many of their principals, and choose who may assume the role "+
			"with grant blocks or the accounts' own policies; merge trust blocks that share their conditions.",
		describe(in, "role"), thousands(n), thousands(limit))
}

func (l *loader) checkAttachedPolicies(b *blockDecl, in *instance, r *model.RoleConfig) {
	n := len(r.ManagedPolicies)
	limit := l.quotas(r.Account).AttachedPerRole
	if n <= limit {
		return
	}
	rng := b.d.block.DefRange
	if a := b.d.attrs["managed_policies"]; a != nil {
		rng = a.Expr.Range()
	}
	l.quotaError(r.Account, rng, "Too many managed policies",
		"%s has %d managed policies in managed_policies; IAM attaches at most %d to a role (PoliciesPerRole). "+
			"Attach fewer: merge several of the stack's own policy blocks into one, or copy the statements the role needs from AWS managed policies into a policy block of your own or into inline_policy blocks.",
		describe(in, "role"), n, limit)
}

// checkInlineSize checks the sum of a principal's inline policies: a role's
// inline_policy blocks and every grant or deny that names the principal in
// to. IAM checks the sum, not each policy, so the message lists what adds up
// to it, largest first.
func (l *loader) checkInlineSize(b *blockDecl, in *instance, kind model.Kind, account, name string, existing bool, desired *model.State) {
	quotas := l.quotas(account)
	q := inlineQuotaOf(quotas, kind)
	acct := desired.Accounts[account]
	if acct == nil {
		return
	}
	var inline map[string]string
	switch kind {
	case model.KindRole:
		if r := acct.Roles[model.NameKey(name)]; r != nil {
			inline = r.InlinePolicies
		}
	case model.KindGroup:
		if g := acct.Groups[model.NameKey(name)]; g != nil {
			inline = g.InlinePolicies
		}
	case model.KindUser:
		if u := acct.Users[model.NameKey(name)]; u != nil {
			inline = u.InlinePolicies
		}
	}
	total := 0
	for _, doc := range inline {
		total += policy.Size(doc)
	}
	if total <= q.limit {
		return
	}

	// Name each policy after the block it comes from.
	from := map[string]*model.GrantConfig{}
	grants := 0
	perEffect := map[string]int{}
	for _, g := range l.cfg.Grants {
		for _, to := range g.To {
			if to.Kind == kind && to.Account == account && model.NameKey(to.Name) == model.NameKey(name) {
				from[ownership.InlineName(g, l.cfg.Stack.Name)] = g
			}
		}
	}
	type part struct {
		label string
		size  int
	}
	var parts []part
	for pname, doc := range inline {
		label := fmt.Sprintf("inline_policy %q", pname)
		if g := from[pname]; g != nil {
			label = g.Address
			grants++
			perEffect[g.Effect]++
		}
		parts = append(parts, part{label, policy.Size(doc)})
	}
	slices.SortFunc(parts, func(a, b part) int {
		if a.size != b.size {
			return b.size - a.size
		}
		return strings.Compare(a.label, b.label)
	})
	const shown = 10
	var list []string
	for i, p := range parts {
		if i == shown {
			rest := 0
			for _, p := range parts[shown:] {
				rest += p.size
			}
			list = append(list, fmt.Sprintf("and %d more (%s)", len(parts)-shown, thousands(rest)))
			break
		}
		list = append(list, fmt.Sprintf("%s (%s)", p.label, thousands(p.size)))
	}

	// Advice for what this principal holds: each remedy only where it helps.
	var advice []string
	if kind == model.KindRole && grants < len(parts) {
		advice = append(advice, fmt.Sprintf("move statements of inline_policy blocks into policy blocks listed in managed_policies (each may hold %s characters, and a role up to %d of them)",
			thousands(quotas.ManagedPolicySize), quotas.AttachedPerRole))
	}
	// Only blocks of one effect can be merged: a grant and a deny cannot.
	var merge []string
	if perEffect["Allow"] > 1 {
		merge = append(merge, "grants into fewer grant blocks")
	}
	if perEffect["Deny"] > 1 {
		merge = append(merge, "denies into fewer deny blocks")
	}
	if len(merge) > 0 {
		advice = append(advice, "merge "+strings.Join(merge, " and ")+" that list several roles each: every block adds a policy of its own")
	}
	switch {
	case kind == model.KindUser && grants > 0:
		advice = append(advice, fmt.Sprintf("grant to a group the user belongs to instead (a group's inline policies may total %s characters)", thousands(quotas.GroupInlineSize)))
	case kind == model.KindGroup && grants > 0:
		advice = append(advice, "split the roles between grants to two groups")
	case kind == model.KindRole && grants > 0:
		advice = append(advice, "split the roles between grants to two roles")
	}
	note := ""
	if existing {
		note = fmt.Sprintf(" Because the %s is declared existing, inline policies it already has outside this stack count as well.", kind)
	}
	l.quotaError(account, b.d.block.DefRange, "Inline policies too large",
		"The inline policies on %s would total %s characters without whitespace; IAM allows at most %s for all the inline policies of a %s together (%s). "+
			"They are: %s. To fit, %s.%s",
		describe(in, string(kind)), thousands(total), thousands(q.limit), kind, q.quota,
		strings.Join(list, ", "), strings.Join(advice, "; or "), note)
}

// checkTrustPartitions rejects trust across partitions: aws, aws-cn and
// aws-us-gov have separate IAMs, so a principal of one can never assume a
// role of another, and IAM refuses such a principal in a trust policy.
func (l *loader) checkTrustPartitions(b *blockDecl, in *instance, r *model.RoleConfig) {
	doc, err := policy.Parse(r.TrustDocument)
	if err != nil {
		return // already reported by trustPolicy
	}
	part := in.info.partition
	trusts := b.d.children("trust")
	s := l.scopeFor(l.baseCtx(), in)
	for i, st := range doc.Statements {
		for _, arn := range principalARNs(st) {
			p := arnPartition(arn)
			if p == "" || p == part {
				continue
			}
			// Statement i was rendered from trust block i; point at the
			// list element that named the principal when it is written out.
			rng := b.d.block.DefRange
			if a := b.d.attrs["trust_document"]; a != nil {
				rng = a.Expr.Range()
			} else if i < len(trusts) && len(trusts) == len(doc.Statements) {
				rng = trusts[i].block.DefRange
				for _, name := range []string{"accounts", "principals"} {
					if a := trusts[i].attrs[name]; a != nil {
						if er, ok := s.elementRange(a, arn); ok {
							rng = er
							break
						}
					}
				}
			}
			l.errorf(rng, "Trust across partitions",
				"%s is in partition %s, but its trust policy names %s%s, of partition %s. Partitions (aws, aws-cn, aws-us-gov) have separate IAMs: "+
					"a principal of one can never assume a role of another, and IAM does not accept it in a trust policy. "+
					"Trust a principal of partition %s, or declare the role in an account of partition %s.",
				describe(in, "role"), part, arn, l.declaredAs(arn), p, part, p)
		}
	}
}

// checkGrantPartitions rejects grants and denies between partitions: the
// inline policy would name a role no principal of its partition can assume,
// so a grant never works and a deny never protects anything.
func (l *loader) checkGrantPartitions(b *blockDecl, in *instance, g *model.GrantConfig) {
	s := l.scopeFor(l.baseCtx(), in)
	verb := "allows"
	if b.typ == "deny" {
		verb = "denies"
	}
	for _, role := range g.Roles {
		rp := arnPartition(role)
		var others []string
		parts := map[string]bool{}
		for _, to := range g.To {
			if p := arnPartition(to.ARN); p != rp {
				others = append(others, fmt.Sprintf("%s (partition %s)", l.addrOf(to.ARN), p))
				parts[p] = true
			}
		}
		if len(others) == 0 {
			continue
		}
		rng := b.d.block.DefRange
		if a := b.d.attrs["roles"]; a != nil {
			rng = a.Expr.Range()
			if er, ok := s.elementRange(a, role); ok {
				rng = er
			}
		}
		l.errorf(rng, strings.ToUpper(b.typ[:1])+b.typ[1:]+" across partitions",
			"%s %s %s sts:AssumeRole on %s%s, which is in partition %s. Partitions (aws, aws-cn, aws-us-gov) have separate IAMs: "+
				"a principal of one can never assume a role of another, so this %s would never take effect. "+
				"Use principals of an account in partition %s, or remove the role from roles.",
			in.addr, verb, strings.Join(others, ", "), role, l.declaredAs(role), rp, b.typ, rp)
	}
}

// principalARNs returns the ARNs a statement names as AWS or federated
// principals. Bare account ids and "*" belong to no partition in particular:
// IAM reads them in the role's own.
func principalARNs(st policy.Statement) []string {
	var out []string
	for _, m := range []map[string][]string{st.Principals, st.NotPrincipals} {
		for _, typ := range []string{"AWS", "Federated"} {
			for _, v := range m[typ] {
				if strings.HasPrefix(v, "arn:") {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// arnPartition is the partition field of an ARN, "" if it is not one.
func arnPartition(arn string) string {
	a, _ := model.ParseARN(arn)
	return a.Partition
}

// declaredAs names the block that declares an ARN, when one does.
func (l *loader) declaredAs(arn string) string {
	if info := l.byARN[arn]; info != nil {
		return " (" + info.addr + ")"
	}
	return ""
}

// addrOf is the address of the block that declares an ARN, or the ARN.
func (l *loader) addrOf(arn string) string {
	if info := l.byARN[arn]; info != nil {
		return info.addr
	}
	return arn
}

// elementRange finds the element of a literal list argument that evaluates to
// arn (as a string or as a reference whose arn it is), so that a message can
// point at it. Values were evaluated without error before, so evaluating them
// again reports nothing new.
func (s *scope) elementRange(a *hcl.Attribute, arn string) (hcl.Range, bool) {
	elems, diags := hcl.ExprList(a.Expr)
	if diags.HasErrors() {
		return hcl.Range{}, false
	}
	for _, e := range elems {
		v, diags := e.Value(s.ctxFor(e))
		if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
			continue
		}
		ty := v.Type()
		if ty.IsObjectType() && ty.HasAttribute("arn") {
			v = v.GetAttr("arn")
		}
		if v.Type() == cty.String && !v.IsNull() && v.AsString() == arn {
			return e.Range(), true
		}
	}
	return hcl.Range{}, false
}

// thousands writes n with comma separators, as IAM's documentation writes
// its quotas (10,240), so that the numbers in a message can be searched for.
func thousands(n int) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// inlineQuota is the aggregate inline policy quota of one kind of principal.
type inlineQuota struct {
	limit int
	quota string // IAM's name for it, as GetAccountSummary and error messages use
}

func inlineQuotaOf(q engine.Quotas, kind model.Kind) inlineQuota {
	switch kind {
	case model.KindRole:
		return inlineQuota{q.RoleInlineSize, "RolePolicySizeQuota"}
	case model.KindGroup:
		return inlineQuota{q.GroupInlineSize, "GroupPolicySizeQuota"}
	default:
		return inlineQuota{q.UserInlineSize, "UserPolicySizeQuota"}
	}
}
