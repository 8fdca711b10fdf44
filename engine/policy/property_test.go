package policy

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
)

// Property tests for the canonical form. A generator builds random valid
// documents as a model (genDoc); a renderer writes a model as JSON text,
// either plainly or choosing at random among the spellings IAM treats as the
// same document. The canonical form of every spelling must equal that of the
// plain one, and a mutation of the model that changes what the document
// allows must change the canonical form.
//
// The seeds are fixed so that a failure reproduces: the message names the
// seed, the case and the rewrites applied.

var propertySeeds = []uint64{1, 2, 3, 5, 8, 13, 21, 34, 55, 89}

const (
	docsPerSeed     = 60 // 600 generated documents in all
	variantsPerDoc  = 3  // 1,800 rewritten spellings compared
	minRewriteCount = 20 // each rewrite must have been exercised this often

	mutationsPerKind = 150 // documents each meaning-changing mutation is applied to
)

// The rewrites the renderer may apply; each must preserve meaning.
const (
	rwReorderStatements   = "reorder statements"
	rwDuplicateStatement  = "duplicate a statement"
	rwStatementObject     = "Statement object for a list of one"
	rwReorderList         = "reorder list items"
	rwDuplicateItem       = "duplicate a list item"
	rwSingleValue         = "single value for a one-element list"
	rwActionCase          = "action case"
	rwAccountForm         = "bare account id <-> root ARN"
	rwStarPrincipal       = `"*" <-> {"AWS":"*"}`
	rwConditionKeyCase    = "condition key case"
	rwConditionScalar     = "condition value as JSON number or boolean"
	rwReorderKeys         = "reorder object keys"
	rwWhitespace          = "whitespace"
	rwStringEscapes       = "JSON string escapes"
	rwURLEncoding         = "URL-encoding"
	rwOmitDefaultVersion  = "omit Version 2008-10-17"
	rwReorderConditionVal = "condition value order"
)

var allRewrites = []string{
	rwReorderStatements, rwDuplicateStatement, rwStatementObject, rwReorderList, rwDuplicateItem,
	rwSingleValue, rwActionCase, rwAccountForm, rwStarPrincipal, rwConditionKeyCase, rwConditionScalar,
	rwReorderKeys, rwWhitespace, rwStringEscapes, rwURLEncoding, rwOmitDefaultVersion, rwReorderConditionVal,
}

// The model. Lists hold distinct values (actions distinct without regard to
// case, condition keys likewise) so that a mutation of one item cannot be
// undone by another that canonicalises to the same thing.
type genDoc struct {
	version string
	id      string
	stmts   []genStmt
}

type genStmt struct {
	sid          string
	effect       string
	notAction    bool
	actions      []string
	resKey       string // "Resource", "NotResource" or "" for none
	resources    []string
	principalKey string // "Principal", "NotPrincipal" or ""
	star         bool   // the principal is everyone
	aws          []genPrincipal
	services     []string
	conditions   []genCondition
}

// genPrincipal is an AWS principal: an account (written as a bare id or
// its root ARN) or another ARN.
type genPrincipal struct {
	account string
	arn     string
}

type genCondition struct {
	op     string
	key    string
	values []string
}

var (
	genActions = []string{
		"s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:*", "sts:AssumeRole", "sts:TagSession",
		"iam:PassRole", "ec2:Describe*", "dynamodb:GetItem", "kms:Decrypt", "execute-api:Invoke", "*",
	}
	genResources = []string{
		"*", "arn:aws:s3:::productionapp", "arn:aws:s3:::productionapp/*", "arn:aws:s3:::a+b c/key",
		"arn:aws:iam::999999999999:role/UpdateApp", "arn:aws:dynamodb:eu-west-1:111111111111:table/Orders",
		"arn:aws:s3:::bucket/100%/é", `arn:aws:s3:::odd"quote\back/slash`, "arn:aws:kms:us-east-1:111111111111:key/Key-1",
	}
	genAccounts = []string{"111111111111", "999999999999", "123456789012"}
	genARNs     = []string{
		"arn:aws:iam::111111111111:role/Source", "arn:aws:iam::222222222222:user/David",
		"arn:aws:sts::333333333333:assumed-role/Ci/session",
	}
	genServices   = []string{"ec2.amazonaws.com", "lambda.amazonaws.com"}
	genConditions = []struct {
		op, key string
		values  []string
	}{
		{"StringEquals", "sts:ExternalId", []string{"vendor-1", "a b+c", `x"y\z`, "Ünïcode"}},
		{"StringEquals", "aws:PrincipalOrgID", []string{"o-abc123", "o-def456"}},
		{"StringLike", "s3:prefix", []string{"home/${aws:username}/*", "public/*", "50%"}},
		{"StringLike", "aws:PrincipalTag/team", []string{"Platform", "dev+ops"}},
		{"Bool", "aws:MultiFactorAuthPresent", []string{"true", "false"}},
		{"Bool", "aws:SecureTransport", []string{"true"}},
		{"NumericLessThan", "aws:MultiFactorAuthAge", []string{"3600", "0", "86400"}},
		{"ArnLike", "aws:SourceArn", []string{"arn:aws:sns:*:111111111111:Topic", "arn:aws:s3:::productionapp"}},
	}
)

// pick returns 1 to max distinct items of from, in random order.
func pick[T any](r *rand.Rand, from []T, max int) []T {
	n := 1 + r.IntN(min(max, len(from)))
	out := make([]T, 0, n)
	for _, i := range r.Perm(len(from))[:n] {
		out = append(out, from[i])
	}
	return out
}

func genDocument(r *rand.Rand) genDoc {
	d := genDoc{version: Version}
	if r.IntN(5) == 0 {
		d.version = "2008-10-17"
	}
	if r.IntN(4) == 0 {
		d.id = "Doc" + strconv.Itoa(r.IntN(100))
	}
	n := 1 + r.IntN(4)
	withSids := r.IntN(3) == 0
	for i := range n {
		d.stmts = append(d.stmts, genStatement(r, withSids, i))
	}
	return d
}

func genStatement(r *rand.Rand, withSid bool, i int) genStmt {
	s := genStmt{effect: "Allow"}
	if r.IntN(3) == 0 {
		s.effect = "Deny"
	}
	if withSid {
		s.sid = "Stmt" + strconv.Itoa(i)
	}
	s.notAction = r.IntN(6) == 0
	s.actions = pick(r, genActions, 4)
	// A resource-based or trust statement names principals; an identity
	// statement names resources. Some name both.
	if r.IntN(3) == 0 {
		s.principalKey = "Principal"
		if s.effect == "Deny" && r.IntN(2) == 0 {
			s.principalKey = "NotPrincipal" // IAM allows NotPrincipal with Deny only
		}
		switch r.IntN(4) {
		case 0:
			s.star = true
		default:
			for _, id := range pick(r, genAccounts, 2) {
				s.aws = append(s.aws, genPrincipal{account: id})
			}
			if r.IntN(2) == 0 {
				for _, arn := range pick(r, genARNs, 2) {
					s.aws = append(s.aws, genPrincipal{arn: arn})
				}
			}
			if r.IntN(3) == 0 {
				s.services = pick(r, genServices, 2)
			}
		}
	}
	if s.principalKey == "" || r.IntN(2) == 0 {
		s.resKey = "Resource"
		if r.IntN(5) == 0 {
			s.resKey = "NotResource"
		}
		s.resources = pick(r, genResources, 4)
	}
	if r.IntN(2) == 0 {
		for _, c := range pick(r, genConditions, 3) {
			s.conditions = append(s.conditions, genCondition{op: c.op, key: c.key, values: pick(r, c.values, 3)})
		}
	}
	return s
}

// style chooses spellings. A nil rand gives the plain spelling: every list a
// list, keys in a fixed order, no whitespace, no escapes beyond JSON's own.
type style struct {
	r       *rand.Rand
	applied map[string]int
	only    string // when set, the one rewrite allowed (to find a culprit)
}

// coin decides, at random, whether to apply a rewrite here.
func (s *style) coin(rewrite string) bool {
	if s.r == nil || s.r.IntN(2) != 0 || (s.only != "" && rewrite != s.only) {
		return false
	}
	s.applied[rewrite]++
	return true
}

// JSON values as the renderer builds them: string, jraw (written as is),
// []any, or *jobj (keys in order).
type jraw string

type jobj struct {
	keys []string
	vals []any
}

func (o *jobj) put(k string, v any) {
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
}

// list spells a list of strings: reordered, with a duplicate, or a single
// value in place of a list of one. each spells one item.
func (s *style) list(items []string, each func(string) any) any {
	items = slices.Clone(items)
	if len(items) > 0 && s.coin(rwDuplicateItem) {
		i := s.r.IntN(len(items))
		items = slices.Insert(items, s.r.IntN(len(items)+1), items[i])
	}
	out := make([]any, len(items))
	for i, v := range items {
		out[i] = each(v)
	}
	if len(out) == 1 && s.coin(rwSingleValue) {
		return out[0]
	}
	return out
}

func plainItem(v string) any { return v }

// reorder shuffles a list for one named rewrite.
func reorder[T any](s *style, rewrite string, list []T) []T {
	list = slices.Clone(list)
	if len(list) > 1 && s.coin(rewrite) {
		s.r.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
	}
	return list
}

// changeCase rewrites the case of letters at random; for names IAM compares
// without case.
func (s *style) changeCase(rewrite, v string) string {
	if !s.coin(rewrite) {
		return v
	}
	var b strings.Builder
	for _, c := range v {
		switch s.r.IntN(3) {
		case 0:
			c = unicode.ToUpper(c)
		case 1:
			c = unicode.ToLower(c)
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (s *style) document(d genDoc) any {
	o := &jobj{}
	if d.version != "2008-10-17" || !s.coin(rwOmitDefaultVersion) {
		o.put("Version", d.version)
	}
	if d.id != "" {
		o.put("Id", d.id)
	}
	stmts := reorder(s, rwReorderStatements, d.stmts)
	if s.coin(rwDuplicateStatement) {
		stmts = slices.Insert(stmts, s.r.IntN(len(stmts)+1), stmts[s.r.IntN(len(stmts))])
	}
	var list []any
	for _, st := range stmts {
		list = append(list, s.statement(st))
	}
	if len(list) == 1 && s.coin(rwStatementObject) {
		o.put("Statement", list[0])
	} else {
		o.put("Statement", list)
	}
	return o
}

func (s *style) statement(st genStmt) any {
	o := &jobj{}
	if st.sid != "" {
		o.put("Sid", st.sid)
	}
	o.put("Effect", st.effect)
	key := "Action"
	if st.notAction {
		key = "NotAction"
	}
	actions := reorder(s, rwReorderList, st.actions)
	o.put(key, s.list(actions, func(a string) any { return s.changeCase(rwActionCase, a) }))
	if st.resKey != "" {
		o.put(st.resKey, s.list(reorder(s, rwReorderList, st.resources), plainItem))
	}
	if st.principalKey != "" {
		o.put(st.principalKey, s.principal(st))
	}
	if len(st.conditions) > 0 {
		ops := &jobj{}
		byOp := map[string]*jobj{}
		for _, c := range st.conditions {
			if byOp[c.op] == nil {
				byOp[c.op] = &jobj{}
				ops.put(c.op, byOp[c.op])
			}
			values := reorder(s, rwReorderConditionVal, c.values)
			byOp[c.op].put(s.changeCase(rwConditionKeyCase, c.key), s.list(values, s.conditionValue))
		}
		o.put("Condition", ops)
	}
	return o
}

// conditionValue writes "true", "false" and whole numbers as JSON booleans
// and numbers at times: IAM compares condition values as strings.
func (s *style) conditionValue(v string) any {
	_, err := strconv.Atoi(v)
	isNumber := err == nil && (v == "0" || !strings.HasPrefix(v, "0"))
	if (v == "true" || v == "false" || isNumber) && s.coin(rwConditionScalar) {
		return jraw(v)
	}
	return v
}

func (s *style) principal(st genStmt) any {
	if st.star {
		if s.coin(rwStarPrincipal) {
			return "*"
		}
		o := &jobj{}
		o.put("AWS", s.list([]string{"*"}, plainItem))
		return o
	}
	o := &jobj{}
	if len(st.aws) > 0 {
		var vals []string
		for _, p := range st.aws {
			switch {
			case p.arn != "":
				vals = append(vals, p.arn)
			case s.coin(rwAccountForm):
				vals = append(vals, p.account)
			default:
				vals = append(vals, "arn:aws:iam::"+p.account+":root")
			}
		}
		o.put("AWS", s.list(reorder(s, rwReorderList, vals), plainItem))
	}
	if len(st.services) > 0 {
		o.put("Service", s.list(reorder(s, rwReorderList, st.services), plainItem))
	}
	return o
}

// render writes a model as JSON text in the style's spelling.
func (s *style) render(d genDoc) string {
	w := &jsonWriter{s: s, spaces: s.coin(rwWhitespace), escapes: s.coin(rwStringEscapes)}
	w.value(s.document(d))
	text := w.b.String()
	if s.coin(rwURLEncoding) {
		// As IAM's read APIs return documents: RFC 3986 percent-encoding,
		// space as %20 and "+" left as a literal plus.
		text = url.PathEscape(strings.TrimSpace(text))
	}
	return text
}

type jsonWriter struct {
	s       *style
	b       strings.Builder
	spaces  bool
	escapes bool
}

var jsonSpaces = []string{"", "", " ", "  ", "\n", "\t", "\r\n    "}

func (w *jsonWriter) space() {
	if w.spaces {
		w.b.WriteString(jsonSpaces[w.s.r.IntN(len(jsonSpaces))])
	}
}

func (w *jsonWriter) token(t string) {
	w.space()
	w.b.WriteString(t)
	w.space()
}

func (w *jsonWriter) value(v any) {
	switch v := v.(type) {
	case string:
		w.str(v)
	case jraw:
		w.token(string(v))
	case []any:
		w.token("[")
		for i, e := range v {
			if i > 0 {
				w.token(",")
			}
			w.value(e)
		}
		w.token("]")
	case *jobj:
		order := make([]int, len(v.keys))
		for i := range order {
			order[i] = i
		}
		order = reorder(w.s, rwReorderKeys, order)
		w.token("{")
		for n, i := range order {
			if n > 0 {
				w.token(",")
			}
			w.str(v.keys[i])
			w.token(":")
			w.value(v.vals[i])
		}
		w.token("}")
	default:
		panic(fmt.Sprintf("renderer: unexpected %T", v))
	}
}

// str writes a JSON string; with escapes, some characters are written as
// \uXXXX (a surrogate pair beyond the BMP) and "/" at times as "\/".
func (w *jsonWriter) str(v string) {
	w.space()
	w.b.WriteByte('"')
	for _, c := range v {
		switch {
		case w.escapes && w.s.r.IntN(5) == 0:
			if c > 0xFFFF {
				r1, r2 := utf16.EncodeRune(c)
				fmt.Fprintf(&w.b, `\u%04x\u%04X`, r1, r2)
			} else {
				fmt.Fprintf(&w.b, `\u%04X`, c)
			}
		case c == '/' && w.escapes && w.s.r.IntN(2) == 0:
			w.b.WriteString(`\/`)
		case c == '"' || c == '\\':
			w.b.WriteByte('\\')
			w.b.WriteRune(c)
		case c < 0x20:
			fmt.Fprintf(&w.b, `\u%04x`, c)
		default:
			w.b.WriteRune(c)
		}
	}
	w.b.WriteByte('"')
	w.space()
}

func plain(d genDoc) string { return (&style{}).render(d) }

func canonicalOf(t *testing.T, text string) string {
	t.Helper()
	d, err := Parse(text)
	if err != nil {
		t.Fatalf("generated document does not parse: %v\n%s", err, text)
	}
	return d.CanonicalJSON()
}

// TestCanonicalPropertyRewrites: every spelling of a document has the
// canonical form of its plain spelling, and that form is a fixed point.
func TestCanonicalPropertyRewrites(t *testing.T) {
	applied := map[string]int{}
	for _, seed := range propertySeeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 0x7275737466))
			for i := range docsPerSeed {
				d := genDocument(r)
				base := plain(d)
				want := canonicalOf(t, base)
				if again := canonicalOf(t, want); again != want {
					t.Fatalf("case %d: canonical form is not a fixed point:\n%s\n%s", i, want, again)
				}
				for v := range variantsPerDoc {
					s := &style{r: r, applied: map[string]int{}}
					text := s.render(d)
					if got := canonicalOf(t, text); got != want {
						t.Fatalf("seed %d case %d variant %d: rewrites %v changed the canonical form; alone, %v do\nplain:   %s\nvariant: %s\nwant: %s\ngot:  %s",
							seed, i, v, sortedRewrites(s.applied), culprits(d, want, s.applied), base, text, want, got)
					}
					// Equivalent is the comparison plans use; one variant
					// per document ties it to the canonical form.
					if v == 0 && !Equivalent(base, text) {
						t.Fatalf("seed %d case %d variant %d: Equivalent is false for\n%s\n%s", seed, i, v, base, text)
					}
					for k, n := range s.applied {
						applied[k] += n
					}
				}
			}
		})
	}
	// A generator that stopped producing a rewrite would pass vacuously.
	for _, rw := range allRewrites {
		t.Logf("%-45s applied %d times", rw, applied[rw])
		if applied[rw] < minRewriteCount {
			t.Errorf("rewrite %q applied %d times, want at least %d", rw, applied[rw], minRewriteCount)
		}
	}
}

// culprits names the rewrites that change the canonical form on their own,
// trying each of those applied a number of times, so that a failure says
// which rewrite is at fault rather than listing a dozen.
func culprits(d genDoc, want string, applied map[string]int) []string {
	var out []string
	for _, rw := range sortedRewrites(applied) {
		r := rand.New(rand.NewPCG(1, 2))
		for range 50 {
			s := &style{r: r, applied: map[string]int{}, only: rw}
			text := s.render(d)
			if doc, err := Parse(text); err != nil || doc.CanonicalJSON() != want {
				out = append(out, rw)
				break
			}
		}
	}
	return out
}

func sortedRewrites(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// statementKey identifies a model statement up to the rewrites, so that a
// mutation is only tried where it cannot coincide with another statement
// (which would merge the two in the canonical set and hide the change).
func statementKey(st genStmt) string {
	lower := make([]string, len(st.actions))
	for i, a := range st.actions {
		lower[i] = strings.ToLower(a)
	}
	sort.Strings(lower)
	res := slices.Sorted(slices.Values(st.resources))
	var aws []string
	for _, p := range st.aws {
		if p.arn != "" {
			aws = append(aws, p.arn)
		} else {
			aws = append(aws, "arn:aws:iam::"+p.account+":root")
		}
	}
	sort.Strings(aws)
	var conds []string
	for _, c := range st.conditions {
		conds = append(conds, c.op+"|"+strings.ToLower(c.key)+"|"+strings.Join(slices.Sorted(slices.Values(c.values)), ","))
	}
	sort.Strings(conds)
	return fmt.Sprint(st.sid, st.effect, st.notAction, lower, st.resKey, res, st.principalKey, st.star, aws,
		slices.Sorted(slices.Values(st.services)), conds)
}

func distinctStatements(stmts []genStmt) bool {
	seen := map[string]bool{}
	for _, st := range stmts {
		k := statementKey(st)
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

// mutation changes what a document allows in statement i, or reports that
// it does not apply there.
type mutation struct {
	name  string
	apply func(r *rand.Rand, st *genStmt) bool
}

var mutations = []mutation{
	{"change effect", func(_ *rand.Rand, st *genStmt) bool {
		if st.effect == "Allow" {
			st.effect = "Deny"
		} else {
			st.effect = "Allow"
		}
		return true
	}},
	{"drop an action", func(r *rand.Rand, st *genStmt) bool {
		if len(st.actions) < 2 {
			return false
		}
		i := r.IntN(len(st.actions))
		st.actions = slices.Delete(slices.Clone(st.actions), i, i+1)
		return true
	}},
	{"change resource case", func(r *rand.Rand, st *genStmt) bool {
		// Resource ARNs are case-sensitive. Flip one letter of a resource
		// that has letters.
		for _, i := range r.Perm(len(st.resources)) {
			res := []rune(st.resources[i])
			for _, j := range r.Perm(len(res)) {
				c := res[j]
				if !unicode.IsLetter(c) || unicode.ToUpper(c) == unicode.ToLower(c) {
					continue
				}
				if unicode.IsUpper(c) {
					res[j] = unicode.ToLower(c)
				} else {
					res[j] = unicode.ToUpper(c)
				}
				st.resources = slices.Clone(st.resources)
				st.resources[i] = string(res)
				return !hasDuplicate(st.resources)
			}
		}
		return false
	}},
	{"change a case-sensitive condition value", func(r *rand.Rand, st *genStmt) bool {
		for ci, c := range st.conditions {
			if c.op != "StringEquals" && c.op != "StringLike" {
				continue // IgnoreCase operators, numbers and booleans ignore it
			}
			for vi, v := range c.values {
				if up := strings.ToUpper(v); up != v {
					conds := slices.Clone(st.conditions)
					conds[ci].values = slices.Clone(c.values)
					conds[ci].values[vi] = up
					st.conditions = conds
					return !hasDuplicate(conds[ci].values)
				}
			}
		}
		return false
	}},
}

func hasDuplicate(list []string) bool {
	seen := map[string]bool{}
	for _, v := range list {
		if seen[v] {
			return true
		}
		seen[v] = true
	}
	return false
}

// TestCanonicalPropertyMutations: a change of meaning survives
// canonicalisation, so a plan never hides a real change as "no change".
func TestCanonicalPropertyMutations(t *testing.T) {
	for _, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			tried := 0
			for _, seed := range propertySeeds {
				r := rand.New(rand.NewPCG(seed, 0x6d75746174))
				for i := range docsPerSeed {
					d := genDocument(r)
					if !distinctStatements(d.stmts) {
						continue
					}
					at := r.IntN(len(d.stmts))
					mutated := d
					mutated.stmts = slices.Clone(d.stmts)
					if !m.apply(r, &mutated.stmts[at]) || !distinctStatements(mutated.stmts) {
						continue
					}
					tried++
					before, after := plain(d), plain(mutated)
					if Equivalent(before, after) {
						t.Fatalf("seed %d case %d: %s of statement %d: Equivalent is true for\n%s\n%s", seed, i, m.name, at, before, after)
					}
					// The mutated document in a rewritten spelling too: the
					// rewrites must not undo the change either.
					s := &style{r: r, applied: map[string]int{}}
					text := s.render(mutated)
					if canonicalOf(t, before) == canonicalOf(t, text) {
						t.Fatalf("seed %d case %d: %s of statement %d did not change the canonical form (rewrites %v)\nbefore: %s\nafter:  %s",
							seed, i, m.name, at, sortedRewrites(s.applied), before, text)
					}
					if tried == mutationsPerKind {
						return
					}
				}
			}
			t.Errorf("mutation applied to %d documents only, want %d; the generator rarely allows it", tried, mutationsPerKind)
		})
	}
}
