package views

import (
	"fmt"
	"io"
	"strings"

	"github.com/trustform/trustform/engine"
)

// AccessChanges renders who gains and who loses the ability to assume which
// role: the first thing a reviewer asks of a plan, so it comes above the
// object changes.
func AccessChanges(w io.Writer, changes []engine.AccessChange, c Colors) {
	if len(changes) == 0 {
		return
	}
	fmt.Fprintf(w, "%sAccess changes%s (who can assume which role, now → after this plan):\n", c.Bold, c.Reset)
	for _, ch := range changes {
		who, role := arnLabel(ch.Principal), arnLabel(ch.Role)
		switch {
		case !ch.CanBefore:
			fmt.Fprintf(w, "  %s+%s %s can assume %s%s\n", c.Green, c.Reset, who, role, conditionText(ch.After))
		case !ch.CanAfter:
			fmt.Fprintf(w, "  %s-%s %s can no longer assume %s\n", c.Red, c.Reset, who, role)
		default:
			fmt.Fprintf(w, "  %s~%s %s can assume %s%s, before%s\n", c.Yellow, c.Reset, who, role, conditionText(ch.After), conditionText(ch.Before))
		}
	}
	for _, ch := range changes {
		if ch.Broadens() {
			fmt.Fprintf(w, "%sThis plan broadens access.%s\n", c.Bold, c.Reset)
			break
		}
	}
	fmt.Fprintln(w)
}

func conditionText(conds []string) string {
	if len(conds) == 0 {
		return " with no condition"
	}
	return " " + strings.Join(conds, " and ")
}

// arnLabel shows an IAM ARN the way plans name objects: kind "name" in account.
func arnLabel(arn string) string {
	k, ok := engine.ARNKey(arn)
	if !ok {
		return arn
	}
	segs := strings.Split(arn, "/")
	kind := string(k.Kind)
	if strings.Contains(arn, ":assumed-role/") {
		return fmt.Sprintf("session %q of role %q in %s", segs[len(segs)-1], segs[1], k.Account)
	}
	return fmt.Sprintf("%s %q in %s", kind, segs[len(segs)-1], k.Account)
}
