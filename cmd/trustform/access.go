package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/trustform/trustform/cmd/trustform/views"
	"github.com/trustform/trustform/engine/model"

	"github.com/urfave/cli/v3"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/access"
	"github.com/trustform/trustform/engine/policy"
	"github.com/trustform/trustform/providers/local"
)

// The access questions: explain (may P do A on R, and why) and who-can
// (everyone who can assume a role). Both read the declared accounts and ask
// the evaluator; neither changes anything.

func accessFlags() []cli.Flag {
	return append(append(stackFlags(), targetFlags()...),
		&cli.StringFlag{Name: "state", Value: "projected", Usage: "projected: the accounts as they will be after the plan; actual: as they are now"},
		&cli.BoolFlag{Name: "json", Usage: "print the answer as JSON"},
	)
}

func explainCommand(env *cliEnv) *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "say whether a principal may perform an action on a resource, and why",
		ArgsUsage: "[DIR]",
		Flags: append(accessFlags(),
			&cli.StringFlag{Name: "principal", Required: true, Usage: "a user or role ARN, a role session ARN, or a reference such as user.david"},
			&cli.StringFlag{Name: "action", Value: "sts:AssumeRole", Usage: "the action, e.g. sts:AssumeRole or s3:GetObject"},
			&cli.StringFlag{Name: "resource", Required: true, Usage: `the resource ARN, a reference such as role.update_app, or "*" for an action that supports no resource-level permission`},
			&cli.StringSliceFlag{Name: "session-policy", Usage: "a JSON policy document passed as a session policy when the principal's session was made (repeatable: the inline policy and managed ones)"},
			&cli.StringSliceFlag{Name: "context", Usage: "a condition key and value: --context aws:MultiFactorAuthPresent=true (repeatable)"},
		),
		Action: env.explain,
	}
}

func whoCanCommand(env *cliEnv) *cli.Command {
	return &cli.Command{
		Name:  "who-can",
		Usage: "list who can do something; today: who-can assume ROLE [DIR]",
		Commands: []*cli.Command{{
			Name:      "assume",
			Usage:     "every principal in the declared accounts that can assume the role, and those its trust policy names outside them, and under which conditions",
			ArgsUsage: "ROLE [DIR]",
			Flags:     accessFlags(),
			Action:    env.whoCanAssume,
		}},
	}
}

// accessState reads the declared accounts and returns the state the
// question is asked of, and its description for the header.
func (e *cliEnv) accessState(ctx context.Context, cmd *cli.Command, cfg *model.Config) (*model.State, string, error) {
	prov, closeFn, err := e.openTarget(ctx, cmd, cfg, true)
	if err != nil {
		return nil, "", err
	}
	defer closeFn()
	switch cmd.String("state") {
	case "actual":
		s, _, err := engine.ReadAccounts(ctx, cfg, prov)
		return s, "actual (the accounts as they are), " + prov.Describe(), err
	case "projected":
		plan, err := engine.MakeChanges(ctx, cfg, prov, engine.PlanOptions{})
		if err != nil {
			return nil, "", planError(err)
		}
		return engine.Project(plan.Actual, plan.Changes), fmt.Sprintf("projected (the accounts as they will be after the plan's %d changes), %s", len(plan.Changes), prov.Describe()), nil
	default:
		return nil, "", fmt.Errorf("--state must be projected or actual, not %q", cmd.String("state"))
	}
}

// resolveARN turns a reference to a declared user, role or group
// (user.david, role.update_app) into its ARN; anything else is taken as an ARN.
func resolveARN(cfg *model.Config, ref string) (string, error) {
	if strings.HasPrefix(ref, "arn:") {
		return ref, nil
	}
	partition := func(id string) string {
		for _, a := range cfg.Accounts {
			if a.ID == id {
				return a.Partition
			}
		}
		return "aws"
	}
	for _, r := range cfg.Roles {
		if r.Address == ref {
			return model.RoleARN(partition(r.Account), r.Account, r.Path, r.Name), nil
		}
	}
	for _, u := range cfg.Users {
		if u.Address == ref {
			return model.UserARN(partition(u.Account), u.Account, u.Path, u.Name), nil
		}
	}
	return "", fmt.Errorf("%q is neither an ARN nor a user or role declared in the stack (write e.g. role.update_app or arn:aws:iam::999999999999:role/UpdateApp)", ref)
}

// maxSessionPolicies is how many policies a session can be made with: one
// inline policy and ten managed ones (STS API Reference, AssumeRole: Policy
// and PolicyArns).
const maxSessionPolicies = 11

// readSessionPolicies reads the --session-policy files: each a policy
// document, which must parse. Session policies are passed when a role is
// assumed, so the principal must be a role or a role session. nil when none
// were given.
func readSessionPolicies(principal string, files []string) ([]string, error) {
	if len(files) == 0 {
		return nil, nil
	}
	p, err := model.ParsePrincipal(principal)
	if err != nil || (p.Kind != model.PrincipalRole && p.Kind != model.PrincipalAssumedRole) {
		return nil, fmt.Errorf("--session-policy: session policies are passed when a role is assumed (AssumeRole's Policy and PolicyArns), so --principal must be a role or a role session, not %s", principal)
	}
	if len(files) > maxSessionPolicies {
		return nil, fmt.Errorf("--session-policy is given %d times: a session is made with at most %d policies (one inline, ten managed)", len(files), maxSessionPolicies)
	}
	docs := make([]string, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("--session-policy %s: %w", f, err)
		}
		if _, err := policy.Parse(string(b)); err != nil {
			return nil, fmt.Errorf("--session-policy %s is not a policy document STS would accept: %v; fix the file and run explain again", f, err)
		}
		docs = append(docs, string(b))
	}
	return docs, nil
}

func parseContext(pairs []string) (map[string][]string, error) {
	ctx := map[string][]string{}
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--context %q: write KEY=VALUE, e.g. aws:MultiFactorAuthPresent=true", p)
		}
		ctx[k] = append(ctx[k], v)
	}
	return ctx, nil
}

// answerView is the form a command with only -json answers in (explain,
// who-can, lint, access): -json or human.
func answerView(cmd *cli.Command) views.ViewType {
	if cmd.Bool("json") {
		return views.ViewJSON
	}
	return views.ViewHuman
}

// exitDenied is explain's exit code for a denied request, so scripts can
// tell "no" from an error.
const exitDenied = 3

func (e *cliEnv) explain(ctx context.Context, cmd *cli.Command) error {
	vt := answerView(cmd)
	cfg, err := e.load(ctx, cmd, true)
	if err != nil {
		return err
	}
	principal, err := resolveARN(cfg, cmd.String("principal"))
	if err != nil {
		return err
	}
	resource := "*"
	if cmd.String("resource") != "*" {
		// "*" asks about an action with no resource-level permission, which
		// only a statement whose Resource is "*" (or a NotResource that
		// spares it) covers.
		if resource, err = resolveARN(cfg, cmd.String("resource")); err != nil {
			return err
		}
	}
	sessionPolicies, err := readSessionPolicies(principal, cmd.StringSlice("session-policy"))
	if err != nil {
		return err
	}
	reqCtx, err := parseContext(cmd.StringSlice("context"))
	if err != nil {
		return err
	}
	state, where, err := e.accessState(ctx, cmd, cfg)
	if err != nil {
		return err
	}
	req := access.Request{Principal: principal, Action: cmd.String("action"), Resource: resource, Context: reqCtx}
	in := access.Inputs{State: state, Policies: local.AWSManagedPolicy}
	if sessionPolicies != nil {
		in.SessionPolicies = map[string][]string{principal: sessionPolicies}
	}
	res := access.New(in).Evaluate(req)
	if err := views.NewExplain(vt, e.stdout, e.colors(cmd, e.stdout)).Show(views.Explanation{Request: req, State: where, Result: res}); err != nil {
		return err
	}
	if !res.Allowed {
		return &exitError{code: exitDenied, silent: true}
	}
	return nil
}

func (e *cliEnv) whoCanAssume(ctx context.Context, cmd *cli.Command) error {
	vt := answerView(cmd)
	args := cmd.Args().Slice()
	if len(args) == 0 || len(args) > 2 {
		return fmt.Errorf("usage: trustform who-can assume ROLE [DIR], where ROLE is a reference such as role.update_app or a role ARN")
	}
	role, dir := args[0], "."
	if len(args) == 2 {
		dir = args[1]
	}
	cfg, err := e.loadDir(ctx, cmd, dir, true)
	if err != nil {
		return err
	}
	roleARN, err := resolveARN(cfg, role)
	if err != nil {
		return err
	}
	state, where, err := e.accessState(ctx, cmd, cfg)
	if err != nil {
		return err
	}
	ev := access.New(access.Inputs{State: state, Policies: local.AWSManagedPolicy})
	assumers, undecided := ev.SearchAssumers(roleARN)
	// Every answer shares the base caveats, but principals outside the
	// declared accounts each add what was not evaluated for them (their
	// own policies), and a user its unknown policies: show them all, once.
	var caveats []string
	for _, a := range assumers {
		for _, c := range a.Result.Caveats {
			if !slices.Contains(caveats, c) {
				caveats = append(caveats, c)
			}
		}
	}
	if len(undecided) > 0 && len(assumers) == 0 {
		caveats = append(caveats, fmt.Sprintf("the search was cut before it could decide for %s: no context tried allows them, but one not tried might; ask explain with the context their requests carry", strings.Join(undecided, ", ")))
	}
	return views.NewWhoCan(vt, e.stdout).Show(views.WhoCanAnswer{Role: roleARN, State: where, Assumers: assumers, Undecided: undecided, Caveats: caveats})
}
