package model

// Severity says how much a finding matters.
type Severity string

// The severities, from the most to the least serious.
const (
	High   Severity = "high"   // access wider than intended, or a control that does not control
	Medium Severity = "medium" // risky, or not doing what it says
	Low    Severity = "low"    // untidy or confusing
)

// Finding is one problem lint found in a stack.
type Finding struct {
	ID       string   `json:"id"`   // stable, e.g. TF001
	Rule     string   `json:"rule"` // its name, e.g. trust-anyone
	Severity Severity `json:"severity"`
	Address  string   `json:"address"` // the block, e.g. role.update_app
	Source   Source   `json:"source"`
	Message  string   `json:"message"`
	Hint     string   `json:"hint"`
}
