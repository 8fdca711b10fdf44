// Package ownership owns how trustform knows what a stack owns without a
// state file: the markers it leaves on objects (tags, group paths, policy
// descriptions, inline policy names), the ledger of adopted objects, the
// record of what it applied (the trustform:applied tags) and the rules that
// read them — which objects another stack claims, which children of a
// principal the stack manages (Scope), and whether a change is drift
// (History). The planner asks; this package answers from the model alone.
package ownership
