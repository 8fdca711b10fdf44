package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/trustform/trustform/cmd/trustform/views"
	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/planfile"
	"github.com/trustform/trustform/schema"
)

// Saved plans. A saved plan is untrusted input: its checksum catches a plan
// damaged or edited by mistake, but anyone can recompute it. So apply FILE
// carries out no change on the plan's word: it loads the stack again from the
// plan's (absolute) stack directory with the variable values the plan
// records, reads the accounts, makes the plan again, and applies that fresh
// plan only if its changes are exactly the saved ones. A forged plan can do
// no more than a fresh plan of its stack would.

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// savedInputs turns what a load read into the saved plan's fields.
func savedInputs(in schema.Inputs) (map[string]planfile.Variable, map[string]string) {
	var vars map[string]planfile.Variable
	if len(in.Values) > 0 {
		vars = map[string]planfile.Variable{}
		for name, v := range in.Values {
			vars[name] = planfile.Variable{Type: v.Type, Value: v.Value}
		}
	}
	return vars, in.Files
}

// writeSaved writes a saved plan atomically, so that a pipeline never picks
// up half a plan.
func writeSaved(path string, doc planfile.Document) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".trustform-plan-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := planfile.Write(tmp, doc); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func readSaved(path string) (planfile.Document, error) {
	f, err := openRegular(path)
	if err != nil {
		return planfile.Document{}, fmt.Errorf("%w: give a plan saved with trustform plan -out FILE", err)
	}
	defer f.Close()
	doc, err := planfile.Read(f)
	if err != nil {
		return doc, fmt.Errorf("%s: %w", path, err)
	}
	return doc, nil
}

// whereText names, for a plan's header, where a saved plan's changes go:
// the target with its absolute state directory or its assume-role name, and
// the stack directory. described is the provider's description.
func whereText(t planfile.Target, described string) string {
	s := described
	switch t.Kind {
	case "local":
		s = "local simulation in " + t.StateDir
	case "aws":
		if t.AssumeRoleName != "" {
			s += ", assuming the role " + t.AssumeRoleName + " in each account without credentials of its own"
		}
	}
	return s + "; stack " + t.StackDir
}

func (e *cliEnv) show(_ context.Context, cmd *cli.Command) error {
	if cmd.Args().Len() != 1 {
		return fmt.Errorf("usage: trustform show FILE, where FILE is a plan saved with plan -out")
	}
	vt, err := views.ParseViewType(cmd.String("format"), cmd.Bool("json"), views.ViewHuman, views.ViewJSON, views.ViewMarkdown)
	if err != nil {
		return err
	}
	doc, err := readSaved(cmd.Args().First())
	if err != nil {
		return err
	}
	// As plan -json printed it: the saved-plan fields are apply's.
	doc.Checksum, doc.Fingerprint, doc.Variables, doc.StackFiles = "", "", nil, nil
	var plan *model.Plan
	if vt != views.ViewJSON {
		// The human and markdown forms render the plan the document holds;
		// the JSON form is the document itself.
		if plan, _, err = doc.Plan(); err != nil {
			return err
		}
		plan.Target = whereText(doc.Target, doc.Target.Description)
	}
	return views.NewPlan(vt, e.stdout, e.colors(cmd, e.stdout)).Show(plan, doc)
}

// refuseSavedFlags refuses the flags that would make a saved plan apply
// anywhere but where it was made, or with other inputs: every one is named.
func refuseSavedFlags(cmd *cli.Command, path string, t planfile.Target) error {
	var bad []string
	for _, f := range []string{"var", "var-file"} {
		if cmd.IsSet(f) {
			bad = append(bad, fmt.Sprintf("-%s: the plan holds the variable values it was made with", f))
		}
	}
	if cmd.IsSet("target") && cmd.String("target") != t.Kind {
		bad = append(bad, fmt.Sprintf("--target %s: the plan was made for the %s target", cmd.String("target"), t.Kind))
	}
	if cmd.IsSet("state-dir") {
		switch {
		case t.Kind != "local":
			bad = append(bad, fmt.Sprintf("--state-dir: the plan was made for the %s target, which has no state directory", t.Kind))
		case absPath(cmd.String("state-dir")) != t.StateDir:
			bad = append(bad, fmt.Sprintf("--state-dir %s: the plan was made with the simulation in %s", cmd.String("state-dir"), t.StateDir))
		}
	}
	if cmd.IsSet("assume-role-name") {
		switch {
		case t.Kind != "aws":
			bad = append(bad, fmt.Sprintf("--assume-role-name: the plan was made for the %s target, which assumes no role", t.Kind))
		case cmd.String("assume-role-name") != t.AssumeRoleName:
			was := "no assume-role name"
			if t.AssumeRoleName != "" {
				was = "the assume-role name " + t.AssumeRoleName
			}
			bad = append(bad, fmt.Sprintf("--assume-role-name %s: the plan was made with %s", cmd.String("assume-role-name"), was))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("not applied, and nothing was changed: a saved plan applies only where and as it was made, and %s records otherwise:\n\n  - %s\n\nApply without them, or make a new plan with them", path, strings.Join(bad, "\n  - "))
}

// filesChanged names the stack's files that differ from those a plan read.
func filesChanged(then, now map[string]string) []string {
	var out []string
	for name, sum := range then {
		switch got, ok := now[name]; {
		case !ok:
			out = append(out, name+" (removed or unreadable)")
		case got != sum:
			out = append(out, name+" (changed)")
		}
	}
	for name := range now {
		if _, ok := then[name]; !ok {
			out = append(out, name+" (new)")
		}
	}
	slices.Sort(out)
	return out
}

// applySaved applies a saved plan: the fresh plan of its stack, made where
// and as the saved one was, when its changes are exactly the saved ones and
// the accounts are as they were when it was made.
func (e *cliEnv) applySaved(ctx context.Context, cmd *cli.Command, path string) error {
	doc, err := readSaved(path)
	if err != nil {
		return err
	}
	if err := refuseSavedFlags(cmd, path, doc.Target); err != nil {
		return err
	}
	t := doc.Target
	if len(doc.StackFiles) == 0 || !filepath.IsAbs(t.StackDir) || (t.Kind == "local" && !filepath.IsAbs(t.StateDir)) {
		return fmt.Errorf("not applied, and nothing was changed: %s was saved by an older trustform, which recorded neither the stack's variable values and files nor absolute paths; make the plan again", path)
	}
	if _, _, err := doc.Plan(); err != nil {
		return err
	}
	if st, err := os.Stat(t.StackDir); err != nil || !st.IsDir() {
		return fmt.Errorf("not applied, and nothing was changed: the plan in %s was made from the stack in %s, which is not there: apply a saved plan where its stack is, at the same path (a pipeline checks the stack out at the same place to plan and to apply)", path, t.StackDir)
	}
	// Where the plan's accounts are, as it records: the flags that would say
	// otherwise were refused above.
	for flag, value := range map[string]string{"target": t.Kind, "state-dir": t.StateDir, "assume-role-name": t.AssumeRoleName} {
		if value != "" {
			if err := cmd.Set(flag, value); err != nil {
				return err
			}
		}
	}
	values := map[string]schema.Value{}
	for name, v := range doc.Variables {
		values[name] = schema.Value{Type: v.Type, Value: v.Value}
	}
	// The recorded values only: no -var (refused), no -var-file, and not the
	// environment, which may differ where the plan is applied.
	cfg, inputs, err := e.loadWith(ctx, cmd, t.StackDir, schema.Options{Values: values, Env: []string{}}, true, true)
	if err != nil {
		if changed := filesChanged(doc.StackFiles, inputs.Files); len(changed) > 0 {
			return fmt.Errorf("not applied, and nothing was changed: the stack's files changed since the plan in %s was made (%s), and the stack no longer loads as it did: make a new plan", path, strings.Join(changed, ", "))
		}
		return err
	}
	cfg.Stack.Target, cfg.Stack.AssumeRoleName = t.Kind, t.AssumeRoleName
	plan, prov, reads, closeFn, err := e.freshPlan(ctx, cmd, cfg, doc.Destroy)
	if err != nil {
		return err
	}
	defer closeFn()
	fresh := planfile.FromPlan(plan, cfg, targetInfo(cmd, cfg), version)
	if t.Kind == "aws" && plan.Target != t.Description {
		return fmt.Errorf("not applied, and nothing was changed: the plan in %s was made on %s, and this apply would reach %s", path, t.Description, plan.Target)
	}
	stale := planfile.Fingerprint(plan.Actual) != doc.Fingerprint
	diffs := planfile.Differences(doc.Changes, fresh.Changes)
	if stale || len(diffs) > 0 {
		if changed := filesChanged(doc.StackFiles, inputs.Files); len(changed) > 0 {
			return fmt.Errorf("not applied, and nothing was changed: the stack's files changed since the plan in %s was made (%s): make a new plan", path, strings.Join(changed, ", "))
		}
		if stale {
			return fmt.Errorf("not applied: the accounts changed since the plan in %s was made (fingerprint %s, now %s); nothing was changed: make a new plan", path, doc.Fingerprint, planfile.Fingerprint(plan.Actual))
		}
		made := ""
		if doc.TrustformVersion != version {
			made = fmt.Sprintf(", or made by another version of trustform (%s; this is %s)", doc.TrustformVersion, version)
		}
		return fmt.Errorf("not applied, and nothing was changed: the plan in %s is not the plan of its stack, though neither the stack's files nor the accounts changed since it was made:\n\n  - %s\n\nThe plan was edited after it was written (its checksum recomputed)%s: apply only plans from a trusted artifact store, or make a new plan",
			path, strings.Join(diffs, "\n  - "), made)
	}
	plan.Target = whereText(t, plan.Target)
	return e.carryOut(ctx, cmd, applyRun{cfg: cfg, plan: plan, prov: prov, reads: reads, destroy: doc.Destroy, verb: "Apply"})
}
