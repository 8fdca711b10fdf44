package local

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/trustform/trustform/engine/model"
)

// formatVersion is the version of state.json this code writes and reads.
const formatVersion = 1

// fileState is the JSON form of the simulation: the state file
// (Dir/state.json) and seed files share it, so a copy of a state file is a
// valid seed. See doc.go for the format as people write it.
type fileState struct {
	FormatVersion int                     `json:"format_version,omitempty"`
	Accounts      map[string]*fileAccount `json:"accounts"`
	// Organization describes the AWS organisation the accounts are in,
	// read-only to trustform (the engine reads it; no Apply changes it).
	Organization *model.OrganizationSpec `json:"organization,omitempty"`
}

type fileAccount struct {
	Partition string `json:"partition,omitempty"`
	// EntitiesCreated is the account's unique-ID serial (see simAccount).
	EntitiesCreated int           `json:"entities_created,omitempty"`
	Policies        []*filePolicy `json:"policies,omitempty"`
	Groups          []*fileGroup  `json:"groups,omitempty"`
	Users           []*fileUser   `json:"users,omitempty"`
	Roles           []*fileRole   `json:"roles,omitempty"`
}

type filePolicy struct {
	Name        string            `json:"name"`
	Path        string            `json:"path,omitempty"`
	Description string            `json:"description,omitempty"`
	Tags        map[string]string `json:"tags,omitempty"`
	// Document is a seed's shorthand for a policy with one version.
	Document    docText        `json:"document,omitempty"`
	Versions    []*fileVersion `json:"versions,omitempty"`
	NextVersion int            `json:"next_version,omitempty"`
}

type fileVersion struct {
	ID       string  `json:"id,omitempty"`
	Document docText `json:"document"`
	Default  bool    `json:"default,omitempty"`
}

type fileGroup struct {
	Name             string             `json:"name"`
	Path             string             `json:"path,omitempty"`
	AttachedPolicies []string           `json:"attached_policies,omitempty"`
	InlinePolicies   map[string]docText `json:"inline_policies,omitempty"`
}

type fileUser struct {
	Name                string             `json:"name"`
	Path                string             `json:"path,omitempty"`
	ID                  string             `json:"id,omitempty"`
	Tags                map[string]string  `json:"tags,omitempty"`
	PermissionsBoundary string             `json:"permissions_boundary,omitempty"`
	Groups              []string           `json:"groups,omitempty"`
	AttachedPolicies    []string           `json:"attached_policies,omitempty"`
	InlinePolicies      map[string]docText `json:"inline_policies,omitempty"`
}

type fileRole struct {
	Name                string             `json:"name"`
	Path                string             `json:"path,omitempty"`
	ID                  string             `json:"id,omitempty"`
	Description         string             `json:"description,omitempty"`
	TrustPolicy         docText            `json:"trust_policy"`
	MaxSessionDuration  int                `json:"max_session_duration,omitempty"`
	PermissionsBoundary string             `json:"permissions_boundary,omitempty"`
	Tags                map[string]string  `json:"tags,omitempty"`
	AttachedPolicies    []string           `json:"attached_policies,omitempty"`
	InlinePolicies      map[string]docText `json:"inline_policies,omitempty"`
}

// docText is a policy document. The state file writes it as a JSON string,
// exactly as it was submitted (IAM returns documents as submitted, too); a
// seed may also write it as a JSON object, which is far easier by hand.
type docText string

func (d *docText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*d = docText(s)
	case len(b) > 0 && b[0] == '{':
		var buf bytes.Buffer
		if err := json.Compact(&buf, b); err != nil {
			return err
		}
		*d = docText(buf.String())
	default:
		return fmt.Errorf("a policy document must be a JSON object or a string holding one")
	}
	return nil
}

func docMap(m map[string]docText) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

func docTextMap(m map[string]string) map[string]docText {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]docText, len(m))
	for k, v := range m {
		out[k] = docText(v)
	}
	return out
}

// decodeFile reads the shared format strictly: an unknown field is far more
// likely a typo in a hand-written seed than something to ignore. The file
// must hold a JSON object: a bare null would otherwise read as no accounts
// at all.
func decodeFile(r io.Reader) (*fileState, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("unexpected data after the JSON object")
	}
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return nil, fmt.Errorf("the file holds %s, not a JSON object with \"accounts\"", short(string(t)))
	}
	dec = json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var f fileState
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	if f.FormatVersion > formatVersion {
		return nil, fmt.Errorf("%w: format_version %d is newer than this trustform understands (%d): upgrade trustform", errNewerFormat, f.FormatVersion, formatVersion)
	}
	return &f, nil
}

var errNewerFormat = errors.New("newer state format")

// decodeStateFile is decodeFile for a state file, which this package always
// writes with an "accounts" object (empty or not).
func decodeStateFile(r io.Reader) (*fileState, error) {
	f, err := decodeFile(r)
	if err != nil {
		return nil, err
	}
	if f.Accounts == nil {
		return nil, errors.New(`it has no "accounts" object (missing or null)`)
	}
	return f, nil
}

func short(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strconv.Quote(s)
}

// encodeState renders the simulation as state.json: indented, every list
// sorted, so that the file diffs well when people look at it.
func encodeState(s *sim) ([]byte, error) {
	f := fileState{FormatVersion: formatVersion, Accounts: map[string]*fileAccount{}, Organization: s.org}
	for id, a := range s.accounts {
		fa := &fileAccount{EntitiesCreated: a.serial}
		if a.partition != "aws" {
			fa.Partition = a.partition
		}
		for _, k := range slices.Sorted(maps.Keys(a.policies)) {
			p := a.policies[k]
			fp := &filePolicy{Name: p.name, Path: p.path, Description: p.description, Tags: mapOrNil(p.tags), NextVersion: p.nextVersion}
			for _, v := range p.versions {
				fp.Versions = append(fp.Versions, &fileVersion{ID: v.id, Document: docText(v.document), Default: v.isDefault})
			}
			fa.Policies = append(fa.Policies, fp)
		}
		for _, k := range slices.Sorted(maps.Keys(a.groups)) {
			g := a.groups[k]
			fa.Groups = append(fa.Groups, &fileGroup{
				Name: g.Name, Path: g.Path,
				AttachedPolicies: sortedOrNil(slices.Clone(g.AttachedPolicies)),
				InlinePolicies:   docTextMap(g.InlinePolicies),
			})
		}
		for _, k := range slices.Sorted(maps.Keys(a.users)) {
			u := a.users[k]
			fa.Users = append(fa.Users, &fileUser{
				Name: u.Name, Path: u.Path, ID: u.uniqueID, Tags: mapOrNil(u.Tags), PermissionsBoundary: u.PermissionsBoundary,
				Groups:           sortedOrNil(slices.Clone(u.Groups)),
				AttachedPolicies: sortedOrNil(slices.Clone(u.AttachedPolicies)),
				InlinePolicies:   docTextMap(u.InlinePolicies),
			})
		}
		for _, k := range slices.Sorted(maps.Keys(a.roles)) {
			r := a.roles[k]
			fa.Roles = append(fa.Roles, &fileRole{
				Name: r.Name, Path: r.Path, ID: r.uniqueID, Description: r.Description,
				TrustPolicy: docText(r.TrustPolicy), MaxSessionDuration: r.MaxSessionDuration, PermissionsBoundary: r.PermissionsBoundary, Tags: mapOrNil(r.Tags),
				AttachedPolicies: sortedOrNil(slices.Clone(r.AttachedPolicies)),
				InlinePolicies:   docTextMap(r.InlinePolicies),
			})
		}
		f.Accounts[id] = fa
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // documents must read as written
	enc.SetIndent("", "  ")
	if err := enc.Encode(&f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeState turns a state file back into a simulation. A state file was
// written by this package after every check had passed, so it is taken as
// it is — deliberately: it may hold what IAM holds but would not accept
// again, such as a trust policy naming the unique ID of a deleted role. Only
// its structure is checked.
func decodeState(f *fileState) (*sim, error) {
	s := newSim()
	if err := s.setOrganization(f.Organization); err != nil {
		return nil, err
	}
	for _, id := range slices.Sorted(maps.Keys(f.Accounts)) {
		fa := f.Accounts[id]
		if fa == nil {
			return nil, fmt.Errorf("account %s is null, not an object", id)
		}
		if err := checkStateAccount(fa); err != nil {
			return nil, fmt.Errorf("account %s: %w", id, err)
		}
		a, err := s.account(id, fa.Partition)
		if err != nil {
			return nil, err
		}
		a.serial = fa.EntitiesCreated
		for _, fp := range fa.Policies {
			p := &simPolicy{name: fp.Name, path: pathOr(fp.Path), description: fp.Description, tags: mapOrNil(fp.Tags), nextVersion: fp.NextVersion}
			defaults := 0
			for i, v := range fp.Versions {
				vid := v.ID
				if vid == "" {
					vid = "v" + strconv.Itoa(i+1)
				}
				p.versions = append(p.versions, policyVersion{id: vid, document: string(v.Document), isDefault: v.Default})
				if v.Default {
					defaults++
				}
				if n, err := strconv.Atoi(strings.TrimPrefix(vid, "v")); err == nil && n >= p.nextVersion {
					p.nextVersion = n + 1
				}
			}
			if defaults != 1 {
				return nil, fmt.Errorf("account %s: policy %s has %d default versions, not 1", id, fp.Name, defaults)
			}
			a.policies[model.NameKey(fp.Name)] = p
		}
		for _, fg := range fa.Groups {
			a.groups[model.NameKey(fg.Name)] = &model.Group{
				Name: fg.Name, Path: pathOr(fg.Path),
				AttachedPolicies: sortedOrNil(fg.AttachedPolicies), InlinePolicies: docMap(fg.InlinePolicies),
			}
		}
		for _, fu := range fa.Users {
			u := &simUser{User: model.User{
				Name: fu.Name, Path: pathOr(fu.Path), Tags: mapOrNil(fu.Tags), PermissionsBoundary: fu.PermissionsBoundary, Groups: sortedOrNil(fu.Groups),
				AttachedPolicies: sortedOrNil(fu.AttachedPolicies), InlinePolicies: docMap(fu.InlinePolicies),
			}, uniqueID: fu.ID}
			if u.uniqueID == "" {
				u.uniqueID = a.newUniqueID("AIDA", "user", fu.Name)
			}
			a.users[model.NameKey(fu.Name)] = u
		}
		for _, fr := range fa.Roles {
			r := &simRole{Role: model.Role{
				Name: fr.Name, Path: pathOr(fr.Path), Description: fr.Description, TrustPolicy: string(fr.TrustPolicy),
				MaxSessionDuration: model.MaxSessionOr(fr.MaxSessionDuration), PermissionsBoundary: fr.PermissionsBoundary, Tags: mapOrNil(fr.Tags),
				AttachedPolicies: sortedOrNil(fr.AttachedPolicies), InlinePolicies: docMap(fr.InlinePolicies),
			}, uniqueID: fr.ID}
			if r.uniqueID == "" {
				r.uniqueID = a.newUniqueID("AROA", "role", fr.Name)
			}
			a.roles[model.NameKey(fr.Name)] = r
		}
	}
	return s, nil
}

// checkStateAccount checks what IAM guarantees of an account and a state
// file could break when edited by hand: no null entries, names unique by
// IAM's rules (users, groups, roles and managed policies compare without
// regard to case), and tag keys unique on roles and users without regard
// to case ("Tag key values for IAM users and roles are not case sensitive,
// but case is preserved", IAM User Guide, Tagging IAM resources, "Case
// sensitivity"; on customer managed policies they are case sensitive, so
// those may hold both). A state holding two roles that differ only in case
// would lose one silently, and two ownership tags that do would make an
// apply remove the one trustform looks for.
func checkStateAccount(fa *fileAccount) error {
	if err := checkNoNulls(fa); err != nil {
		return err
	}
	names := map[string]string{}
	dup := func(kind, name string) error {
		if name == "" {
			return fmt.Errorf("a %s has no name", kind)
		}
		k := kind + "/" + model.NameKey(name)
		if first, ok := names[k]; ok {
			if first == name {
				return fmt.Errorf("two %ss are named %s", kind, name)
			}
			return fmt.Errorf("%ss %s and %s have the same name to IAM, which compares %s names without regard to case", kind, first, name, kind)
		}
		names[k] = name
		return nil
	}
	for _, fp := range fa.Policies {
		if err := dup("policy", fp.Name); err != nil {
			return err
		}
	}
	for _, fg := range fa.Groups {
		if err := dup("group", fg.Name); err != nil {
			return err
		}
	}
	for _, fu := range fa.Users {
		if err := dup("user", fu.Name); err != nil {
			return err
		}
		if err := uniqueTagKeys(fu.Tags); err != nil {
			return fmt.Errorf("user %s: %w", fu.Name, err)
		}
	}
	for _, fr := range fa.Roles {
		if err := dup("role", fr.Name); err != nil {
			return err
		}
		if err := uniqueTagKeys(fr.Tags); err != nil {
			return fmt.Errorf("role %s: %w", fr.Name, err)
		}
	}
	return nil
}

// checkNoNulls refuses a null where an account's lists need an object; a
// seed and a state file alike would otherwise crash the reader.
func checkNoNulls(fa *fileAccount) error {
	for i, fp := range fa.Policies {
		if fp == nil {
			return fmt.Errorf("policies[%d] is null, not an object", i)
		}
		for j, v := range fp.Versions {
			if v == nil {
				return fmt.Errorf("policy %s: versions[%d] is null, not an object", fp.Name, j)
			}
		}
	}
	for i, fg := range fa.Groups {
		if fg == nil {
			return fmt.Errorf("groups[%d] is null, not an object", i)
		}
	}
	for i, fu := range fa.Users {
		if fu == nil {
			return fmt.Errorf("users[%d] is null, not an object", i)
		}
	}
	for i, fr := range fa.Roles {
		if fr == nil {
			return fmt.Errorf("roles[%d] is null, not an object", i)
		}
	}
	return nil
}

// uniqueTagKeys refuses tag keys of a role or user that differ only in case.
func uniqueTagKeys(tags map[string]string) error {
	seen := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		lk := strings.ToLower(k)
		if other, ok := seen[lk]; ok {
			return fmt.Errorf("tag keys %q and %q differ only in case; IAM keeps one tag for both on a role or user", other, k)
		}
		seen[lk] = k
	}
	return nil
}

// LoadSeed reads a seed file (see the package documentation for its format)
// and returns the accounts it describes. Every object in it goes through the
// same checks as an apply — names, paths, documents, sizes, references, trust
// principals — so a seed cannot describe an account AWS could not hold.
func LoadSeed(path string) (*model.State, error) {
	s, err := loadSeed(path)
	if err != nil {
		return nil, err
	}
	return s.engineState(), nil
}

func loadSeed(path string) (*sim, error) {
	data, err := readRegular(path, "seed file", maxSeedBytes)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	fs, err := decodeFile(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("seed %s: %w; fix the seed file (see the local target's documentation for its format) and run this command again", path, err)
	}
	s, err := buildSeed(fs)
	if err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, err)
	}
	return s, nil
}

// buildSeed creates the seed's objects through the simulation's own
// operations, account by account, in the order IAM needs: policies, groups,
// users and their memberships, roles, then what is attached to each. Trust
// principals are checked once everything exists, so roles in a seed may
// trust each other across accounts in any order.
func buildSeed(fs *fileState) (*sim, error) {
	s := newSim()
	if err := s.setOrganization(fs.Organization); err != nil {
		return nil, err
	}
	s.deferPrincipals = true
	for _, id := range slices.Sorted(maps.Keys(fs.Accounts)) {
		fa := fs.Accounts[id]
		if fa == nil {
			fa = &fileAccount{}
		}
		if err := checkNoNulls(fa); err != nil {
			return nil, fmt.Errorf("account %s: %w", id, err)
		}
		a, err := s.account(id, fa.Partition)
		if err != nil {
			return nil, err
		}
		if err := seedAccount(s, a, fa); err != nil {
			return nil, fmt.Errorf("account %s: %w", id, err)
		}
	}
	s.deferPrincipals = false
	for _, id := range slices.Sorted(maps.Keys(s.accounts)) {
		a := s.accounts[id]
		for _, k := range slices.Sorted(maps.Keys(a.roles)) {
			r := a.roles[k]
			doc, err := validateTrustShape("CreateRole", r.TrustPolicy, a.partition)
			if err == nil {
				err = s.checkTrustPrincipals("CreateRole", doc, a.partition)
			}
			if err != nil {
				return nil, fmt.Errorf("account %s: role %s: %w", id, r.Name, err)
			}
		}
	}
	return s, nil
}

func seedAccount(s *sim, a *simAccount, fa *fileAccount) error {
	for _, fp := range fa.Policies {
		if err := seedPolicy(s, a, fp); err != nil {
			return fmt.Errorf("policy %s: %w", fp.Name, err)
		}
	}
	for _, fg := range fa.Groups {
		if err := s.createGroup(a, &model.Group{Name: fg.Name, Path: fg.Path}); err != nil {
			return fmt.Errorf("group %s: %w", fg.Name, err)
		}
		if err := seedPolicies(s, a, model.KindGroup, fg.Name, fg.AttachedPolicies, fg.InlinePolicies); err != nil {
			return fmt.Errorf("group %s: %w", fg.Name, err)
		}
	}
	for _, fu := range fa.Users {
		if err := s.createUser(a, &model.User{Name: fu.Name, Path: fu.Path, Tags: fu.Tags, PermissionsBoundary: fu.PermissionsBoundary}); err != nil {
			return fmt.Errorf("user %s: %w", fu.Name, err)
		}
		if fu.ID != "" {
			a.users[model.NameKey(fu.Name)].uniqueID = fu.ID
		}
		for _, g := range fu.Groups {
			if err := s.addUserToGroup(a, &model.Membership{User: fu.Name, Group: g}); err != nil {
				return fmt.Errorf("user %s: %w", fu.Name, err)
			}
		}
		if err := seedPolicies(s, a, model.KindUser, fu.Name, fu.AttachedPolicies, fu.InlinePolicies); err != nil {
			return fmt.Errorf("user %s: %w", fu.Name, err)
		}
	}
	for _, fr := range fa.Roles {
		r := &model.Role{
			Name: fr.Name, Path: fr.Path, Description: fr.Description, TrustPolicy: string(fr.TrustPolicy),
			MaxSessionDuration: fr.MaxSessionDuration, PermissionsBoundary: fr.PermissionsBoundary, Tags: fr.Tags,
		}
		if err := s.createRole(a, r); err != nil {
			return fmt.Errorf("role %s: %w", fr.Name, err)
		}
		if fr.ID != "" {
			a.roles[model.NameKey(fr.Name)].uniqueID = fr.ID
		}
		if err := seedPolicies(s, a, model.KindRole, fr.Name, fr.AttachedPolicies, fr.InlinePolicies); err != nil {
			return fmt.Errorf("role %s: %w", fr.Name, err)
		}
	}
	if fa.EntitiesCreated > a.serial {
		a.serial = fa.EntitiesCreated
	}
	return nil
}

// seedPolicy creates a policy from either a single document or a list of
// versions (as a state file has them). Versions are renumbered v1, v2, ...
// in the order given.
func seedPolicy(s *sim, a *simAccount, fp *filePolicy) error {
	mp := &model.ManagedPolicy{Name: fp.Name, Path: fp.Path, Description: fp.Description, Tags: fp.Tags, Document: string(fp.Document)}
	switch {
	case fp.Document != "" && len(fp.Versions) > 0:
		return errors.New("give either document or versions, not both")
	case fp.Document == "" && len(fp.Versions) == 0:
		return errors.New("a policy needs a document (or versions)")
	case fp.Document != "":
		return s.createPolicy(a, mp)
	}
	defaults := 0
	for _, v := range fp.Versions {
		if v.Default {
			defaults++
		}
	}
	if defaults != 1 {
		return fmt.Errorf("exactly one version must be the default, not %d", defaults)
	}
	mp.Document = string(fp.Versions[0].Document)
	if err := s.createPolicy(a, mp); err != nil {
		return err
	}
	for _, v := range fp.Versions[1:] {
		if err := s.createPolicyVersion(a, fp.Name, string(v.Document), v.Default); err != nil {
			return err
		}
	}
	return nil
}

func seedPolicies(s *sim, a *simAccount, kind model.Kind, name string, attached []string, inline map[string]docText) error {
	for _, arn := range attached {
		if err := s.attach(a, &model.Attachment{PrincipalKind: kind, PrincipalName: name, PolicyARN: arn}); err != nil {
			return err
		}
	}
	for _, pn := range slices.Sorted(maps.Keys(inline)) {
		if err := s.putInline(a, &model.InlinePolicy{PrincipalKind: kind, PrincipalName: name, Name: pn, Document: string(inline[pn])}); err != nil {
			return err
		}
	}
	return nil
}
