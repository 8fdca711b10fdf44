package planfile

import (
	"encoding/json"
	"fmt"
)

// Differences says, for people, how the changes of a saved plan differ from
// those of a fresh plan of the same stack and accounts: each saved change a
// fresh plan does not make (action, kind, key, objects and all), each fresh
// change the saved plan lacks, and changes made in another order. It is nil
// when they are the same.
func Differences(saved, fresh []Change) []string {
	// Compared whole, but for their place in the plan: a change is the same
	// change wherever it comes; the order is compared after. Compared as
	// encoded: what the plan file does not tell apart (tags empty or none,
	// which omitempty leaves out alike) is not a difference.
	key := func(c Change) string {
		c.Index, c.DependsOn = 0, nil
		b, _ := json.Marshal(c)
		return string(b)
	}
	left := map[string]int{}
	for _, c := range fresh {
		left[key(c)]++
	}
	var out []string
	for i, c := range saved {
		k := key(c)
		if left[k] > 0 {
			left[k]--
			continue
		}
		out = append(out, fmt.Sprintf("the saved plan's change %d, %s, is not a change a fresh plan of the stack makes", i, describe(c)))
	}
	inSaved := map[string]int{}
	for _, c := range saved {
		inSaved[key(c)]++
	}
	for i, c := range fresh {
		k := key(c)
		if inSaved[k] > 0 {
			inSaved[k]--
			continue
		}
		out = append(out, fmt.Sprintf("a fresh plan also makes change %d, %s, which the saved plan lacks", i, describe(c)))
	}
	if len(out) > 0 {
		return out
	}
	for i := range saved {
		a, _ := json.Marshal(saved[i])
		b, _ := json.Marshal(fresh[i])
		if string(a) != string(b) {
			out = append(out, fmt.Sprintf("the saved plan's change %d, %s, comes in another place or waits for other changes than in a fresh plan", i, describe(saved[i])))
		}
	}
	return out
}

func describe(c Change) string {
	what := c.Object
	if what == "" {
		what = fmt.Sprintf("%s %s", c.Kind, c.Key.ID)
	}
	s := fmt.Sprintf("%s %s", c.Action, what)
	if c.Address != "" {
		s += " (" + c.Address + ")"
	}
	if c.Account.ID != "" {
		if c.Account.Name != "" {
			s += fmt.Sprintf(" in %s (%s)", c.Account.Name, c.Account.ID)
		} else {
			s += " in " + c.Account.ID
		}
	}
	return s
}
