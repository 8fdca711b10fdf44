package model

// Organization is the AWS organisation the stack's accounts belong to, as
// read (read-only) from its management account or a delegated
// administrator: where each declared account sits, and the service control
// policies (SCPs) and resource control policies (RCPs) attached along the
// way. It is read only when the stack declares an organization block, and
// travels with the state it was read with: the evaluator applies it to
// every answer, and a saved plan's fingerprint covers it.
type Organization struct {
	ID                string `json:"id"`                 // o-...
	ManagementAccount string `json:"management_account"` // its account ID
	// SCPs and RCPs say whether each policy type is enabled on the root
	// (ListRoots' PolicyTypes): a type not enabled limits nothing.
	SCPs bool `json:"scps_enabled"`
	RCPs bool `json:"rcps_enabled"`
	// Paths maps each declared account in the organisation to its levels,
	// the root first and the account itself last. A declared account that
	// is not in the organisation has no entry.
	Paths map[string][]*OrgLevel `json:"paths"`
}

// Kinds of OrgLevel, in Organizations' words for what a policy is attached
// to.
const (
	OrgRoot    = "root"
	OrgUnit    = "organizational unit"
	OrgAccount = "account"
)

// OrgLevel is one level of an account's place in the organisation: the
// root, an organizational unit or the account, with the SCPs and RCPs
// attached to it, so that an answer can name the policy and where it is
// attached. Levels several accounts share may be one *OrgLevel.
type OrgLevel struct {
	ID   string      `json:"id"` // r-..., ou-..., or the account ID
	Kind string      `json:"kind"`
	Name string      `json:"name,omitempty"`
	SCPs []OrgPolicy `json:"scps,omitempty"`
	RCPs []OrgPolicy `json:"rcps,omitempty"`
}

// OrgPolicy is an SCP or RCP: its ID (p-...), name and document.
type OrgPolicy struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Document string `json:"document"`
}

// Label names the level in reasons: organizational unit "Workloads"
// (ou-ab12-cdef3456), root r-ab12, account 111111111111.
func (l *OrgLevel) Label() string {
	switch l.Kind {
	case OrgUnit:
		return "organizational unit \"" + l.Name + "\" (" + l.ID + ")"
	case OrgRoot:
		return "the root (" + l.ID + ")"
	}
	return "account " + l.ID
}

// Clone returns a deep copy, levels shared between accounts staying shared.
func (o *Organization) Clone() *Organization {
	if o == nil {
		return nil
	}
	out := *o
	out.Paths = make(map[string][]*OrgLevel, len(o.Paths))
	copied := map[*OrgLevel]*OrgLevel{}
	for id, path := range o.Paths {
		levels := make([]*OrgLevel, len(path))
		for i, l := range path {
			c, ok := copied[l]
			if !ok {
				v := *l
				v.SCPs = append([]OrgPolicy(nil), l.SCPs...)
				v.RCPs = append([]OrgPolicy(nil), l.RCPs...)
				c = &v
				copied[l] = c
			}
			levels[i] = c
		}
		out.Paths[id] = levels
	}
	return &out
}

// OrganizationConfig is the organization block: the declared account
// through which the organisation is read.
type OrganizationConfig struct {
	Account string // the account ID of the management account or a delegated administrator
	Source  Source
}
