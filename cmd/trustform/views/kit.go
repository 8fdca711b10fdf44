package views

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/trustform/trustform/engine/model"
)

// The access kit: for each role a stack declares, what a person needs to
// use it — the ARN, the console's switch-role link, a ~/.aws/config profile
// and the aws CLI command — and what the trust policy asks of the caller
// (MFA, an ExternalId). It is built from the configuration alone, so it
// names only the grants and denies the stack declares.

// AccessKit is the access kit of a stack. Its JSON form is the output of
// `trustform access -json`; fields are never omitted: an empty list is [],
// an absent value null.
type AccessKit struct {
	Stack string    `json:"stack"`
	Roles []KitRole `json:"roles"` // sorted by address
	// AWSConfig is every role's profile, ready to append to ~/.aws/config
	// once its placeholders are replaced.
	AWSConfig string `json:"aws_config"`
}

// KitRole is the kit of one role.
type KitRole struct {
	Address            string     `json:"address"` // role.update_app, role.audit["dev"]
	Name               string     `json:"name"`
	Path               string     `json:"path"`
	Account            KitAccount `json:"account"`
	ARN                string     `json:"arn"`
	MaxSessionDuration int        `json:"max_session_duration"` // seconds
	// Trust lists the trust policy's statements that allow sts:AssumeRole.
	Trust []KitTrust `json:"trust"`
	// RequireMFA and ExternalID are what the profile and the command pass:
	// enough for every statement of Trust that names an AWS principal.
	RequireMFA bool    `json:"require_mfa"`
	ExternalID *string `json:"external_id"`
	// Granted and Denied are the principals of the stack's grant and deny
	// blocks that name the role.
	Granted []KitPrincipal `json:"granted"`
	Denied  []KitPrincipal `json:"denied"`
	// SwitchRoleURL is null when the console cannot switch to the role
	// (Notes says why), as are Profile and AssumeRole when no AWS principal
	// is trusted.
	SwitchRoleURL *string     `json:"switch_role_url"`
	Profile       *KitProfile `json:"profile"`
	AssumeRole    *KitCommand `json:"assume_role"`
	Notes         []string    `json:"notes"`
}

// KitAccount names an account.
type KitAccount struct {
	Name      string `json:"name"` // "" when the stack does not declare it
	ID        string `json:"id"`
	Partition string `json:"partition"`
}

// KitTrust is one trust policy statement that allows sts:AssumeRole.
type KitTrust struct {
	Principals  []KitTrusted `json:"principals"`
	RequireMFA  bool         `json:"require_mfa"`
	ExternalIDs []string     `json:"external_ids"`
	// OtherConditions is true when the statement tests other condition keys,
	// which the kit does not fill in.
	OtherConditions bool `json:"other_conditions"`
	// Conditions say every test of the statement with its operator and
	// every value as written, and the conditional denies of the trust
	// policy that apply to its principals ("unless ..."), in the words of
	// `trustform who-can`; [] when there are none.
	Conditions []string `json:"conditions"`
}

// KitTrusted is one principal a trust statement names.
type KitTrusted struct {
	Type        string `json:"type"`  // AWS, Service, Federated, CanonicalUser or *
	Value       string `json:"value"` // as the trust policy writes it
	Description string `json:"description"`
}

// KitPrincipal is a principal a grant or deny block names.
type KitPrincipal struct {
	Block   string     `json:"block"` // grant.developers_update_app
	Kind    string     `json:"kind"`  // group, user or role
	Name    string     `json:"name"`
	Account KitAccount `json:"account"`
	ARN     string     `json:"arn"`
	Members []string   `json:"members"` // groups: the users the stack declares in them
}

// KitProfile is a ~/.aws/config section.
type KitProfile struct {
	Name string `json:"name"`
	Text string `json:"text"` // the section with its comment lines, ending in a newline
}

// KitCommand is a command line, as arguments and as text for a POSIX shell.
type KitCommand struct {
	Args  []string `json:"args"`
	Shell string   `json:"shell"`
}

// Placeholders the person replaces. They are visible in the profile text
// and the command, and comment lines say what to put there.
const (
	kitSourceProfile = "<source-profile>"
	kitMFAUser       = "<user>"
	kitCallerAccount = "<caller-account>"
	kitTokenCode     = "<mfa-code>"
)

// switchRoleMax is the longest path plus name the console's Switch Role
// accepts (IAM User Guide, "Granting a user permissions to switch roles").
const switchRoleMax = 64

// BuildAccessKit makes the access kit of a stack from its configuration.
func BuildAccessKit(cfg *model.Config) (*AccessKit, error) {
	x := newStackIndex(cfg)
	kit := &AccessKit{Stack: cfg.Stack.Name, Roles: []KitRole{}}
	roles := slices.Clone(cfg.Roles)
	slices.SortFunc(roles, func(a, b *model.RoleConfig) int { return strings.Compare(a.Address, b.Address) })
	names := profileNames(cfg.Stack.Name, roles)
	var config strings.Builder
	for _, r := range roles {
		kr, err := buildKitRole(x, r, names[r])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Address, err)
		}
		if kr.Profile != nil {
			if config.Len() > 0 {
				config.WriteString("\n")
			}
			config.WriteString(kr.Profile.Text)
		}
		kit.Roles = append(kit.Roles, kr)
	}
	kit.AWSConfig = config.String()
	return kit, nil
}

// profileNames gives each role the profile <stack>-<role name>, and
// <stack>-<role name>-<account id> to roles whose names repeat across
// accounts (a for_each role), so that no two sections collide.
func profileNames(stack string, roles []*model.RoleConfig) map[*model.RoleConfig]string {
	count := map[string]int{}
	for _, r := range roles {
		count[strings.ToLower(r.Name)]++
	}
	out := map[*model.RoleConfig]string{}
	for _, r := range roles {
		name := stack + "-" + r.Name
		if count[strings.ToLower(r.Name)] > 1 {
			name += "-" + r.Account
		}
		out[r] = name
	}
	return out
}

func buildKitRole(x *stackIndex, r *model.RoleConfig, profile string) (KitRole, error) {
	acct := x.kitAccount(r.Account)
	msd := model.MaxSessionOr(r.MaxSessionDuration)
	p := r.Path
	if p == "" {
		p = "/"
	}
	kr := KitRole{
		Address: r.Address, Name: r.Name, Path: p, Account: acct, ARN: roleARN(x, r), MaxSessionDuration: msd,
		Trust: []KitTrust{}, Granted: []KitPrincipal{}, Denied: []KitPrincipal{}, Notes: []string{},
	}
	stmts, err := readTrust(r.TrustDocument)
	if err != nil {
		return kr, err
	}
	// What the profile and the command must pass: the union over the
	// statements that name AWS principals. Passing MFA or an ExternalId that
	// a statement does not test does not stop that statement from matching,
	// so the union works through every one of them.
	var externalIDs []string
	var mfaAccounts []string
	humans, other := false, false
	for _, s := range stmts {
		kt := KitTrust{Principals: []KitTrusted{}, RequireMFA: s.mfa, ExternalIDs: append([]string{}, s.externalIDs...), OtherConditions: s.other,
			Conditions: append([]string{}, s.conditions...)}
		aws := false
		for _, tp := range s.principals {
			info := classify(tp)
			kt.Principals = append(kt.Principals, KitTrusted{Type: tp.Type, Value: tp.Value, Description: x.describe(info)})
			if tp.Type == "AWS" || tp.Type == "*" {
				aws = true
				if s.mfa {
					mfaAccounts = append(mfaAccounts, info.account)
				}
			}
		}
		if aws {
			humans = true
			kr.RequireMFA = kr.RequireMFA || s.mfa
			externalIDs = append(externalIDs, s.externalIDs...)
			other = other || s.other
		}
		kr.Trust = append(kr.Trust, kt)
	}
	slices.Sort(externalIDs)
	externalIDs = slices.Compact(externalIDs)
	if len(externalIDs) > 0 {
		kr.ExternalID = &externalIDs[0]
		if len(externalIDs) > 1 {
			kr.Notes = append(kr.Notes, fmt.Sprintf("the trust policy accepts several ExternalIds (%s); the profile and the command pass %q", strings.Join(externalIDs, ", "), externalIDs[0]))
		}
	}
	if other {
		kr.Notes = append(kr.Notes, "the trust policy tests other condition keys too; the profile and the command do not set them")
	}
	kr.Granted, kr.Denied = grantsOf(x, kr.ARN)

	if !humans {
		kr.Notes = append(kr.Notes, "the trust policy names no AWS principal (only services or federated identities), so no user or role can switch to it: no console link, profile or command")
		return kr, nil
	}
	kr.SwitchRoleURL, kr.Notes = switchRoleURL(kr, kr.Notes)
	if kr.SwitchRoleURL != nil && kr.RequireMFA {
		// The console authorises a switch with the credentials of the
		// sign-in, so MFA must have been used when signing in.
		kr.Notes = append(kr.Notes, "the console switches only if you signed in with MFA")
	}
	mfaSerial := ""
	if kr.RequireMFA {
		mfaSerial = model.ARN{Partition: acct.Partition, Service: "iam", Account: oneAccount(mfaAccounts), Resource: "mfa/" + kitMFAUser}.String()
	}
	kr.Profile = kitProfile(x, kr, profile, stmts, mfaSerial)
	kr.AssumeRole = kitCommand(x, kr, mfaSerial)
	if msd > model.DefaultMaxSessionDuration {
		kr.Notes = append(kr.Notes, "a session assumed from another role's session (role chaining) lasts at most one hour: set duration_seconds = 3600 when source_profile is itself a role profile")
	}
	return kr, nil
}

// oneAccount is the account of the MFA device when the statements that ask
// for MFA name a single account, and a placeholder otherwise.
func oneAccount(ids []string) string {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 1 && ids[0] != "" {
		return ids[0]
	}
	return kitCallerAccount
}

// grantsOf lists the principals of the grant and deny blocks that name the
// role, with the members the stack declares for groups, sorted by block and
// ARN.
func grantsOf(x *stackIndex, arn string) (granted, denied []KitPrincipal) {
	granted, denied = []KitPrincipal{}, []KitPrincipal{}
	for _, g := range x.cfg.Grants {
		if !slices.Contains(g.Roles, arn) {
			continue
		}
		for _, to := range g.To {
			kp := KitPrincipal{Block: g.Address, Kind: string(to.Kind), Name: to.Name, Account: x.kitAccount(to.Account), ARN: to.ARN, Members: []string{}}
			if to.Kind == model.KindGroup {
				for _, u := range x.cfg.Users {
					if u.Account == to.Account && containsFold(u.Groups, to.Name) {
						kp.Members = append(kp.Members, u.Name)
					}
				}
				slices.Sort(kp.Members)
			}
			if g.Effect == "Deny" {
				denied = append(denied, kp)
			} else {
				granted = append(granted, kp)
			}
		}
	}
	order := func(a, b KitPrincipal) int {
		if c := strings.Compare(a.Block, b.Block); c != 0 {
			return c
		}
		return strings.Compare(a.ARN, b.ARN)
	}
	slices.SortFunc(granted, order)
	slices.SortFunc(denied, order)
	return granted, denied
}

// switchRoleURL is the link that opens the console's Switch Role page filled
// in, as the IAM User Guide gives it ("Granting a user permissions to switch
// roles"): roleName is the path and the name ("division_abc/role_XYZ"), and
// the console cannot switch to a role that requires an ExternalId or whose
// path and name together exceed 64 characters.
func switchRoleURL(kr KitRole, notes []string) (*string, []string) {
	roleName := pathName(kr.Path, kr.Name)
	switch {
	case kr.ExternalID != nil:
		return nil, append(notes, "the console cannot switch to a role that requires an ExternalId: use the profile or the command")
	case len(roleName) > switchRoleMax:
		return nil, append(notes, fmt.Sprintf("the console cannot switch to a role whose path and name exceed %d characters (%q has %d): use the profile or the command", switchRoleMax, roleName, len(roleName)))
	}
	host := model.SigninHost(kr.Account.Partition)
	display := kr.Name
	if kr.Account.Name != "" {
		display += " @ " + kr.Account.Name
	}
	u := "https://" + host + "/switchrole?account=" + queryEscape(kr.Account.ID) +
		"&roleName=" + queryEscape(roleName) + "&displayName=" + queryEscape(display)
	return &u, notes
}

// queryEscape escapes a query value. A space is written %20 rather than "+",
// which not every reader of a query takes for a space, and "/" is kept, as
// the IAM User Guide writes roleName=path/role_name.
func queryEscape(s string) string {
	e := strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
	return strings.ReplaceAll(e, "%2F", "/")
}

// kitProfile writes the ~/.aws/config section. Comments stand on lines of
// their own: the shared config file has no inline comments, so a "#" after
// a value would become part of it.
func kitProfile(x *stackIndex, kr KitRole, name string, stmts []trustStatement, mfaSerial string) *KitProfile {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: role %s in %s\n", kr.Address, pathName(kr.Path, kr.Name), x.accountLabel(kr.Account.ID))
	fmt.Fprintf(&b, "[profile %s]\n", name)
	fmt.Fprintf(&b, "role_arn = %s\n", kr.ARN)
	fmt.Fprintf(&b, "# Replace %s with the profile that holds your credentials in %s.\n", kitSourceProfile, trustedAccounts(x, stmts))
	fmt.Fprintf(&b, "source_profile = %s\n", kitSourceProfile)
	if mfaSerial != "" {
		fmt.Fprintf(&b, "# The trust policy requires MFA: replace the placeholders with your MFA device's ARN.\n")
		fmt.Fprintf(&b, "mfa_serial = %s\n", mfaSerial)
	}
	if kr.ExternalID != nil {
		fmt.Fprintf(&b, "# The trust policy requires this ExternalId.\n")
		fmt.Fprintf(&b, "external_id = %s\n", *kr.ExternalID)
	}
	fmt.Fprintf(&b, "duration_seconds = %d\n", kr.MaxSessionDuration)
	return &KitProfile{Name: name, Text: b.String()}
}

// trustedAccounts says where the caller's credentials live: the accounts
// whose principals the trust policy names.
func trustedAccounts(x *stackIndex, stmts []trustStatement) string {
	var ids []string
	anyone := false
	for _, s := range stmts {
		for _, tp := range s.principals {
			info := classify(tp)
			switch {
			case info.kind == "anyone":
				anyone = true
			case tp.Type == "AWS" && info.account != "":
				ids = append(ids, info.account)
			}
		}
	}
	if anyone {
		return "any account"
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	labels := make([]string, len(ids))
	for i, id := range ids {
		labels[i] = x.accountLabel(id)
	}
	switch len(labels) {
	case 0:
		return "a trusted account"
	case 1:
		return labels[0]
	}
	return "one of " + strings.Join(labels, ", ")
}

// invalidSessionChars are those a role session name may not hold.
var invalidSessionChars = regexp.MustCompile(`[^\w+=,.@-]`)

// kitCommand is aws sts assume-role with what the trust policy asks for.
func kitCommand(x *stackIndex, kr KitRole, mfaSerial string) *KitCommand {
	session := invalidSessionChars.ReplaceAllString(x.cfg.Stack.Name+"-"+kr.Name, "_")
	if len(session) > 64 {
		session = session[:64]
	}
	args := []string{"aws", "sts", "assume-role", "--role-arn", kr.ARN, "--role-session-name", session}
	if mfaSerial != "" {
		args = append(args, "--serial-number", mfaSerial, "--token-code", kitTokenCode)
	}
	if kr.ExternalID != nil {
		args = append(args, "--external-id", *kr.ExternalID)
	}
	args = append(args, "--duration-seconds", strconv.Itoa(kr.MaxSessionDuration))
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shellQuote(a)
	}
	return &KitCommand{Args: args, Shell: strings.Join(quoted, " ")}
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellQuote quotes an argument for a POSIX shell when it needs it, so that a
// placeholder such as <user> is not read as a redirection.
func shellQuote(s string) string {
	if s != "" && shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// AccessKitText renders the kit for people: each role, then the
// ~/.aws/config text to copy.
func AccessKitText(w io.Writer, kit *AccessKit, c Colors) {
	fmt.Fprintf(w, "%sAccess to the roles of stack %q%s, from its configuration alone (no account was read).\n", c.Bold, kit.Stack, c.Reset)
	if len(kit.Roles) == 0 {
		fmt.Fprintln(w, "\nThe stack declares no role.")
		return
	}
	for _, r := range kit.Roles {
		fmt.Fprintf(w, "\n%s%s%s: role %s in %s\n", c.Bold, r.Address, c.Reset, pathName(r.Path, r.Name), accountText(r.Account))
		field := func(label string, lines []string) {
			if len(lines) == 0 {
				lines = []string{"none"}
			}
			for i, l := range lines {
				if i > 0 {
					label = ""
				}
				fmt.Fprintf(w, "  %-11s %s\n", label, l)
			}
		}
		field("ARN", []string{r.ARN})
		var trusted []string
		for _, t := range r.Trust {
			cond := trustConditions(t)
			for _, p := range t.Principals {
				trusted = append(trusted, p.Description+cond)
			}
		}
		field("Trusted", trusted)
		field("Granted to", principalLines(r.Granted, c.Green, c.Reset))
		field("Denied to", principalLines(r.Denied, c.Red, c.Reset))
		if r.SwitchRoleURL != nil {
			field("Console", []string{*r.SwitchRoleURL})
		}
		if r.AssumeRole != nil {
			field("AWS CLI", []string{r.AssumeRole.Shell})
		}
		if r.Profile != nil {
			field("Profile", []string{r.Profile.Name + " (below)"})
		}
		if len(r.Notes) > 0 {
			field("Notes", r.Notes)
		}
	}
	fmt.Fprintln(w, "\nGranted and denied name the stack's own grant and deny blocks: other policies in the accounts")
	fmt.Fprintln(w, "may also allow or deny. `trustform who-can assume ROLE DIR` reads the accounts and evaluates them.")
	if kit.AWSConfig != "" {
		fmt.Fprintf(w, "\n%sFor ~/.aws/config%s (replace the placeholders in <>):\n\n", c.Bold, c.Reset)
		fmt.Fprint(w, kit.AWSConfig)
	}
}

func (x *stackIndex) kitAccount(id string) KitAccount {
	a := KitAccount{ID: id, Partition: x.partition(id)}
	if ac := x.accounts[id]; ac != nil {
		a.Name = ac.Name
	}
	return a
}

func accountText(a KitAccount) string {
	if a.Name == "" {
		return a.ID
	}
	return a.Name + " (" + a.ID + ")"
}

// trustConditions is what a statement asks for, every test as the policy
// writes it, as " (with MFA, with StringLike sts:ExternalId \"a-*\")", or ""
// when nothing.
func trustConditions(t KitTrust) string {
	if len(t.Conditions) == 0 {
		return ""
	}
	return " (" + strings.Join(t.Conditions, ", ") + ")"
}

func principalLines(list []KitPrincipal, color, reset string) []string {
	var out []string
	for _, p := range list {
		line := color + p.Kind + " " + p.Name + reset + " in " + accountText(p.Account)
		if len(p.Members) > 0 {
			line += ", members " + strings.Join(p.Members, ", ")
		}
		out = append(out, line+" ("+p.Block+")")
	}
	return out
}

// KitView shows an access kit.
type KitView interface {
	Show(kit *AccessKit) error
}

// NewKit returns the kit view of a form (human or JSON).
func NewKit(vt ViewType, w io.Writer, c Colors) KitView {
	if vt == ViewJSON {
		return jsonKit{w}
	}
	return humanKit{w, c}
}

type humanKit struct {
	w io.Writer
	c Colors
}

func (v humanKit) Show(kit *AccessKit) error {
	AccessKitText(v.w, kit, v.c)
	return nil
}

type jsonKit struct{ w io.Writer }

func (v jsonKit) Show(kit *AccessKit) error {
	enc := json.NewEncoder(v.w)
	enc.SetIndent("", "  ")
	// Values are written as they are: "&" in a URL or "<" in a placeholder
	// must stay readable to people and to jq alike.
	enc.SetEscapeHTML(false)
	return enc.Encode(kit)
}
