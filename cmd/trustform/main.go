package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/trustform/trustform/engine/lint"
	"github.com/trustform/trustform/engine/model"

	"github.com/hashicorp/hcl/v2"
	"github.com/urfave/cli/v3"
	"golang.org/x/term"

	"github.com/trustform/trustform/cmd/trustform/views"
	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/planfile"
	awsprovider "github.com/trustform/trustform/providers/aws"
	"github.com/trustform/trustform/providers/local"
	"github.com/trustform/trustform/schema"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// exitError carries an exit code other than 1 (plan -detailed-exitcode's 2)
// or an error already shown to the user (diagnostics), so main prints nothing more.
type exitError struct {
	code   int
	silent bool
	err    error
}

func (e *exitError) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return fmt.Sprintf("exit %d", e.code)
}

func main() {
	tuneGC()
	profileCPU()
	// SIGINT and SIGTERM end every command promptly (signals.go): at once,
	// unless changes are being made, which then stop after the calls in
	// flight; a second signal exits at once.
	ctx, stop := notifyContext(context.Background(), os.Stderr, os.Exit)
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if c := interruptedCode(); c != 0 && code != 0 {
		code = c
	}
	stopProfile()
	os.Exit(code)
}

// tuneGC makes the collector run a quarter as often as Go's default unless
// GOGC says otherwise. trustform is a short-lived process that builds its
// whole picture of the accounts, uses it once and exits; at the default the
// collector takes about a third of the CPU of a 10,000-object plan
// (BenchmarkNoChangePlanLocal, GOGC=100 against 400), to keep the heap
// within twice the live data of a process that is about to end. The cost is
// a higher peak, still proportional to the stack and the accounts (the
// figures are in BENCHMARKS.md).
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

// run is main without the process: tests call it with their own streams.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	err := app.Run(ctx, args)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if !ee.silent && ee.err != nil {
			fmt.Fprintf(stderr, "Error: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "Error: %v\n", err)
	return 1
}

// stackFlags are the flags of every command that loads a stack.
func stackFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "var", Usage: "set a variable: -var 'name=value' (repeatable)"},
		&cli.StringSliceFlag{Name: "var-file", Usage: "read variables from an HCL or JSON file (repeatable)"},
		&cli.BoolFlag{Name: "no-color", Usage: "never colour the output"},
	}
}

func targetFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "target", Usage: "where the accounts are: local (the embedded simulation) or aws; overrides the stack's target"},
		&cli.StringFlag{Name: "assume-role-name", Usage: "aws: the role the base identity assumes in every account without credentials of its own; overrides the stack's assume_role_name"},
		&cli.StringFlag{Name: "state-dir", Usage: "local target: where the simulation is stored (default DIR/.trustform)"},
		&cli.FloatFlag{Name: "rate-limit", Usage: "aws: at most this many IAM calls per second to each account, retries included (default 20; 0 for no limit)", Value: awsprovider.DefaultRateLimit},
		&cli.IntFlag{Name: "parallelism", Usage: "aws: at most this many calls in flight at once over all accounts, reads and writes, retries included (default 32; 0 for no bound)", Value: awsprovider.DefaultParallelism},
		&cli.DurationFlag{Name: "retry-timeout", Usage: "aws: the longest one write may take, retries included, before it fails naming the change", Value: awsprovider.DefaultRetryTimeout},
	}
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.Command {
	env := &cliEnv{stdin: stdin, stdout: stdout, stderr: stderr}
	return &cli.Command{
		Name:                      "trustform",
		Usage:                     "provision AWS IAM cross-account trust from HCL",
		Writer:                    stdout,
		ErrWriter:                 stderr,
		DisableSliceFlagSeparator: true,
		HideHelpCommand:           true,
		ExitErrHandler:            func(context.Context, *cli.Command, error) {},
		Commands: []*cli.Command{
			{
				Name:      "validate",
				Usage:     "check a stack's files without reading any account",
				ArgsUsage: "[DIR]",
				Flags: append(stackFlags(),
					&cli.BoolFlag{Name: "json", Usage: "print the result as JSON, like terraform validate -json"},
				),
				Action: env.validate,
			},
			{
				Name:      "plan",
				Usage:     "show what apply would change, and who gains or loses access",
				ArgsUsage: "[DIR]",
				Flags: append(append(stackFlags(), targetFlags()...),
					&cli.BoolFlag{Name: "detailed-exitcode", Usage: "exit 0 when there are no changes, 2 when there are, 1 on error"},
					&cli.BoolFlag{Name: "destroy", Usage: "plan the removal of everything the stack owns"},
					&cli.StringFlag{Name: "out", Usage: "save the plan to FILE, for apply FILE"},
					&cli.BoolFlag{Name: "json", Usage: "print the plan as JSON (format in docs/plan.schema.json)"},
					&cli.StringFlag{Name: "format", Value: "human", Usage: "human, json (as -json) or markdown (for a pull-request comment)"},
					strictFlag(),
				),
				Action: env.plan,
			},
			{
				Name:      "show",
				Usage:     "show a saved plan",
				ArgsUsage: "FILE",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "json", Usage: "print the plan as JSON (as -format json)"},
					&cli.StringFlag{Name: "format", Value: "human", Usage: "human, json (as plan -json) or markdown (for a pull-request comment)"},
					&cli.BoolFlag{Name: "no-color", Usage: "never colour the output"},
				},
				Action: env.show,
			},
			{
				Name:      "apply",
				Usage:     "make the accounts match the stack",
				ArgsUsage: "[DIR]",
				Flags: append(append(stackFlags(), targetFlags()...),
					&cli.BoolFlag{Name: "auto-approve", Usage: "apply without asking"},
					&cli.BoolFlag{Name: "allow-broadening", Usage: "apply a plan that broadens access when the stack sets require_approval = \"broadening\""},
					&cli.BoolFlag{Name: "json", Usage: "print the plan and the apply's progress as JSON lines (needs -auto-approve unless applying a saved plan)"},
					strictFlag(),
				),
				Action: env.apply(false),
			},
			{
				Name:      "destroy",
				Usage:     "remove everything the stack owns, and nothing else",
				ArgsUsage: "[DIR]",
				Flags: append(append(stackFlags(), targetFlags()...),
					&cli.BoolFlag{Name: "auto-approve", Usage: "destroy without asking"},
					&cli.BoolFlag{Name: "json", Usage: "print the plan and the destroy's progress as JSON lines (needs -auto-approve)"},
				),
				Action: env.apply(true),
			},
			requireAction(explainCommand(env)),
			whoCanCommand(env),
			accessKitCommand(env),
			graphCommand(env),
			fmtCommand(env),
			importCommand(env),
			lintCommand(env),
			{
				Name:  "version",
				Usage: "print the version",
				Action: func(_ context.Context, _ *cli.Command) error {
					fmt.Fprintf(stdout, "trustform %s%s (%s %s/%s)\n", version, revision(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
					return nil
				},
			},
		},
	}
}

// requireAction makes a command refuse an empty --action: no statement's
// Action matches it, and explain answered allow for it from the statements
// that use NotAction.
func requireAction(c *cli.Command) *cli.Command {
	action := c.Action
	c.Action = func(ctx context.Context, cmd *cli.Command) error {
		if cmd.IsSet("action") && strings.TrimSpace(cmd.String("action")) == "" {
			return fmt.Errorf("--action is empty: give the action to explain as service:Action, such as sts:AssumeRole or s3:GetObject (the default is sts:AssumeRole)")
		}
		return action(ctx, cmd)
	}
	return c
}

func revision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return " " + s.Value[:12]
		}
	}
	return ""
}

type cliEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// colors reports the colours for a stream: none unless it is a terminal and
// -no-color was not given.
func (e *cliEnv) colors(cmd *cli.Command, w io.Writer) views.Colors {
	if cmd.Bool("no-color") || os.Getenv("NO_COLOR") != "" {
		return views.Colors{}
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return views.ANSI()
	}
	return views.Colors{}
}

// isTerminal says whether w is a terminal, where a line may be rewritten in
// place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) && os.Getenv("TERM") != "dumb"
}

func stackDir(cmd *cli.Command) (string, error) {
	switch cmd.Args().Len() {
	case 0:
		return ".", nil
	case 1:
		return cmd.Args().First(), nil
	default:
		return "", fmt.Errorf("expected at most one stack directory, got %q", cmd.Args().Slice())
	}
}

// load reads the stack and prints its diagnostics (warnings too). With
// readQuotas, a stack that only exceeds IAM's default quotas on the aws
// target is loaded again with the accounts' real quotas, which an account
// owner can have AWS raise: only then does trustform read them.
func (e *cliEnv) load(ctx context.Context, cmd *cli.Command, readQuotas bool) (*model.Config, error) {
	dir, err := stackDir(cmd)
	if err != nil {
		return nil, err
	}
	return e.loadDir(ctx, cmd, dir, readQuotas)
}

func (e *cliEnv) loadDir(ctx context.Context, cmd *cli.Command, dir string, readQuotas bool) (*model.Config, error) {
	cfg, _, err := e.loadWith(ctx, cmd, dir, schema.Options{Vars: cmd.StringSlice("var"), VarFiles: cmd.StringSlice("var-file")}, readQuotas, false)
	return cfg, err
}

// loadWith is loadDir with the given options; with record it also returns
// what the load read (the variables' values, the files' digests), for a
// saved plan, even when the load fails.
func (e *cliEnv) loadWith(ctx context.Context, cmd *cli.Command, dir string, opts schema.Options, readQuotas, record bool) (*model.Config, schema.Inputs, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, schema.Inputs{}, fmt.Errorf("%s is not a stack directory: give the directory that holds the stack's *.hcl files", dir)
	}
	load := func(opts schema.Options) (*model.Config, map[string]*hcl.File, hcl.Diagnostics, schema.Inputs) {
		if record {
			return schema.LoadInputs(dir, opts)
		}
		cfg, files, diags := schema.Load(dir, opts)
		return cfg, files, diags, schema.Inputs{}
	}
	cfg, files, diags, inputs := load(opts)
	if accounts, onlyQuotas := schema.QuotaAccounts(diags); readQuotas && onlyQuotas && targetOf(cmd, cfg) == "aws" {
		quotas, err := e.realQuotas(ctx, cmd, cfg, accounts)
		if err != nil {
			return nil, inputs, fmt.Errorf("the stack exceeds IAM's default quotas, and the accounts' own quotas could not be read: %w", err)
		}
		opts.Quotas = quotas
		cfg, files, diags, inputs = load(opts)
	}
	if len(diags) > 0 {
		width := 0
		if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			width, _, _ = term.GetSize(int(f.Fd()))
		}
		_ = schema.WriteDiagnostics(e.stderr, files, diags, uint(width), e.colors(cmd, e.stderr) != views.Colors{})
	}
	if diags.HasErrors() {
		return nil, inputs, &exitError{code: 1, silent: true}
	}
	return cfg, inputs, nil
}

// realQuotas reads the IAM quotas of the given accounts from the target.
func (e *cliEnv) realQuotas(ctx context.Context, cmd *cli.Command, cfg *model.Config, accounts []string) (map[string]engine.Quotas, error) {
	prov, closeFn, err := e.openTarget(ctx, cmd, cfg, true)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	reader, ok := prov.(engine.QuotaReader)
	if !ok {
		return nil, fmt.Errorf("target %s cannot read quotas", prov.Describe())
	}
	out := map[string]engine.Quotas{}
	for _, ac := range cfg.Accounts {
		if !slices.Contains(accounts, ac.ID) {
			continue
		}
		q, err := reader.Quotas(ctx, ac)
		if err != nil {
			return nil, fmt.Errorf("account %s (%s): %w", ac.Name, ac.ID, err)
		}
		out[ac.ID] = q
	}
	return out, nil
}

// targetOf is the target a command runs on: --target, else the stack's.
func targetOf(cmd *cli.Command, cfg *model.Config) string {
	if t := cmd.String("target"); t != "" {
		return t
	}
	if cfg != nil && cfg.Stack.Target != "" {
		return cfg.Stack.Target
	}
	return "local"
}

// openTarget opens the provider the stack targets. readOnly asks for a
// provider that will not be written through (plan).
func (e *cliEnv) openTarget(ctx context.Context, cmd *cli.Command, cfg *model.Config, readOnly bool) (engine.Provider, func() error, error) {
	target := targetOf(cmd, cfg)
	switch target {
	case "local":
		dir := stateDirOf(cmd, cfg)
		p, err := local.Open(local.Options{Dir: dir, Seed: filepath.Join(cfg.Stack.Dir, local.SeedFile), ReadOnly: readOnly})
		if err != nil {
			return nil, nil, err
		}
		return p, p.Close, nil
	case "aws":
		roleName := cfg.Stack.AssumeRoleName
		if n := cmd.String("assume-role-name"); n != "" {
			roleName = n
		}
		limit := cmd.Float("rate-limit")
		if limit == 0 {
			limit = -1 // the flag's 0 means no limit; the provider's means its default
		}
		parallelism := int(cmd.Int("parallelism"))
		switch {
		case parallelism < 0:
			return nil, nil, fmt.Errorf("-parallelism %d: give the most calls in flight at once (at least 1), or 0 for no bound", parallelism)
		case parallelism == 0:
			parallelism = -1 // the flag's 0 means no bound; the provider's means its default
		}
		p, err := awsprovider.New(ctx, awsprovider.Options{AssumeRoleName: roleName, RateLimit: limit, Parallelism: parallelism, RetryTimeout: cmd.Duration("retry-timeout")})
		if err != nil {
			return nil, nil, err
		}
		return p, func() error { return nil }, nil
	default:
		return nil, nil, fmt.Errorf("unknown target %q: use --target local (the embedded simulation) or --target aws", target)
	}
}

func (e *cliEnv) validate(ctx context.Context, cmd *cli.Command) error {
	if cmd.Bool("json") {
		return e.validateJSON(ctx, cmd)
	}
	// validate reads no account, so IAM's default quotas apply.
	cfg, err := e.load(ctx, cmd, false)
	if err != nil {
		return err
	}
	if _, err := engine.Desired(cfg); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Success! The stack %q is valid: %d accounts, %d roles, %d policies, %d groups, %d users, %d grants and denies, %d expectations.\n",
		cfg.Stack.Name, len(cfg.Accounts), len(cfg.Roles), len(cfg.Policies), len(cfg.Groups), len(cfg.Users), len(cfg.Grants), len(cfg.Expectations))
	return nil
}

func (e *cliEnv) plan(ctx context.Context, cmd *cli.Command) error {
	vt, err := views.ParseViewType(cmd.String("format"), cmd.Bool("json"), views.ViewHuman, views.ViewJSON, views.ViewMarkdown)
	if err != nil {
		return err
	}
	dir, err := stackDir(cmd)
	if err != nil {
		return err
	}
	// A saved plan records the variables' values and the files it was made
	// from, for apply FILE to make it again.
	cfg, inputs, err := e.loadWith(ctx, cmd, dir, schema.Options{Vars: cmd.StringSlice("var"), VarFiles: cmd.StringSlice("var-file")}, true, cmd.String("out") != "")
	if err != nil {
		return err
	}
	if err := e.strictLint(cmd, cfg, cmd.Bool("destroy")); err != nil {
		return err
	}
	prov, closeFn, err := e.openTarget(ctx, cmd, cfg, true)
	if err != nil {
		return err
	}
	defer closeFn()
	reads := &readRetries{w: e.stderr}
	plan, err := e.makePlan(reads.watch(ctx), cmd, cfg, prov, cmd.Bool("destroy"))
	reads.flush()
	if err != nil {
		return err
	}
	doc := planfile.FromPlan(plan, cfg, targetInfo(cmd, cfg), version)
	if err := views.NewPlan(vt, e.stdout, e.colors(cmd, e.stdout)).Show(plan, doc); err != nil {
		return err
	}
	if !plan.Applicable() {
		return notApplicable(plan)
	}
	if out := cmd.String("out"); out != "" {
		doc.Fingerprint = planfile.Fingerprint(plan.Actual)
		doc.Variables, doc.StackFiles = savedInputs(inputs)
		if err := finishing(func() error { return writeSaved(out, doc) }); err != nil {
			return err
		}
		if vt == views.ViewHuman {
			fmt.Fprintf(e.stdout, "\nSaved the plan to %s. Apply exactly these changes with: trustform apply %s\n", out, out)
		}
	}
	if cmd.Bool("detailed-exitcode") && len(plan.Changes) > 0 {
		return &exitError{code: 2, silent: true}
	}
	return nil
}

// targetInfo records where a plan's accounts are and how they are reached,
// with absolute paths: a saved plan applies where it was made, whatever the
// directory it is applied from.
func targetInfo(cmd *cli.Command, cfg *model.Config) planfile.Target {
	t := planfile.Target{Kind: targetOf(cmd, cfg), StackDir: absPath(cfg.Stack.Dir)}
	switch t.Kind {
	case "local":
		t.StateDir = absPath(stateDirOf(cmd, cfg))
	case "aws":
		t.AssumeRoleName = cfg.Stack.AssumeRoleName
		if n := cmd.String("assume-role-name"); n != "" {
			t.AssumeRoleName = n
		}
	}
	return t
}

func stateDirOf(cmd *cli.Command, cfg *model.Config) string {
	if dir := cmd.String("state-dir"); dir != "" {
		return dir
	}
	return filepath.Join(cfg.Stack.Dir, ".trustform")
}

func notApplicable(plan *model.Plan) error {
	var failed []string
	for _, x := range plan.Expectations {
		if !x.Passed {
			failed = append(failed, x.Address)
		}
	}
	return fmt.Errorf("this plan is not applicable, and nothing was changed: %s failed (%d of %d expectations); change the stack or the accounts until they hold",
		strings.Join(failed, ", "), len(failed), len(plan.Expectations))
}

// planError shows every reason a plan could not be made, one per paragraph.
func planError(err error) error {
	return fmt.Errorf("the plan could not be made, and nothing was changed:\n\n%s", indentErrors(err))
}

func indentErrors(err error) string {
	type unwrapper interface{ WrappedErrors() []error }
	var list []error
	if u, ok := err.(unwrapper); ok {
		list = u.WrappedErrors()
	} else {
		list = []error{err}
	}
	var b strings.Builder
	for i, e := range list {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "  - %v\n", e)
	}
	return strings.TrimRight(b.String(), "\n")
}

func (e *cliEnv) apply(destroy bool) cli.ActionFunc {
	return func(ctx context.Context, cmd *cli.Command) error {
		if !destroy && cmd.Args().Len() == 1 {
			if st, err := os.Stat(cmd.Args().First()); err == nil && st.Mode().IsRegular() {
				// A saved plan is applied as a whole critical section: its
				// load and plan stop at a cancelled context too.
				return finishing(func() error { return e.applySaved(ctx, cmd, cmd.Args().First()) })
			}
		}
		if cmd.Bool("json") && !cmd.Bool("auto-approve") {
			return fmt.Errorf("-json needs -auto-approve: the JSON stream cannot ask for confirmation")
		}
		cfg, err := e.load(ctx, cmd, true)
		if err != nil {
			return err
		}
		plan, prov, reads, closeFn, err := e.freshPlan(ctx, cmd, cfg, destroy)
		if err != nil {
			return err
		}
		defer closeFn()
		verb := "Apply"
		if destroy {
			verb = "Destroy"
		}
		return e.carryOut(ctx, cmd, applyRun{cfg: cfg, plan: plan, prov: prov, reads: reads, destroy: destroy, ask: !cmd.Bool("auto-approve"), verb: verb})
	}
}

// applyRun is a plan ready to be carried out, by apply DIR or apply FILE.
type applyRun struct {
	cfg     *model.Config
	plan    *model.Plan
	prov    engine.Provider
	reads   *readRetries
	destroy bool
	// ask: confirm on the terminal first (apply DIR without -auto-approve;
	// a saved plan was approved when it was saved).
	ask  bool
	verb string // of the last line: "Apply complete!" or "Destroy complete!"
}

// carryOut is the one way a plan is applied: shown (or announced on the JSON
// stream with the read retries), refused when an expectation fails or it
// broadens access that the stack wants approved, confirmed, applied through
// the hooks, and reported.
func (e *cliEnv) carryOut(ctx context.Context, cmd *cli.Command, r applyRun) error {
	plan := r.plan
	colors := e.colors(cmd, e.stdout)
	var hooks engine.Hooks
	var events *views.Events
	var progress *views.Progress
	// refuse ends a JSON stream with apply_failed when nothing is applied.
	refuse := func(err error) error {
		if events != nil {
			events.ApplyComplete(0, 0, 0, err)
		}
		return err
	}
	if cmd.Bool("json") {
		events = views.NewEvents(e.stdout, plan.Changes, nil)
		events.PlanSummary(plan)
		for _, n := range r.reads.list {
			events.ReadRetry(n)
		}
		hooks = events
	} else {
		views.Plan(e.stdout, plan, colors)
		views.Expectations(e.stdout, plan.Expectations, colors)
		progress = views.NewProgress(e.stdout, colors, len(plan.Changes), isTerminal(e.stdout))
		hooks = progress
	}
	if !plan.Applicable() {
		return refuse(notApplicable(plan))
	}
	if len(plan.Changes) == 0 {
		return refuse(nil)
	}
	if plan.Broadening() && r.cfg.Stack.RequireApproval == "broadening" && !cmd.Bool("allow-broadening") {
		return refuse(fmt.Errorf("not applied: this plan broadens access (see Access changes), and the stack sets require_approval = \"broadening\"; review it and pass -allow-broadening to apply it"))
	}
	if r.ask {
		if err := e.confirm(r.destroy); err != nil {
			return err
		}
	}
	add, upd, del := plan.Counts()
	if events == nil {
		fmt.Fprintln(e.stdout)
	}
	err := finishing(func() error { return engine.Apply(ctx, plan, r.cfg, r.prov, engine.ApplyOptions{Hooks: hooks}) })
	if progress != nil {
		progress.Close()
	}
	if events != nil {
		events.ApplyComplete(add, upd, del, err)
	}
	if err != nil {
		return fmt.Errorf("apply stopped with errors; what succeeded stays applied, and the next plan shows what is left:\n\n%s", indentErrors(err))
	}
	if events != nil {
		return nil
	}
	fmt.Fprintf(e.stdout, "\n%s%s complete!%s %d added, %d changed, %d destroyed%s.\n", colors.Bold, r.verb, colors.Reset, add, upd, del, adoptedText(plan))
	return nil
}

// confirm asks for "yes" on a terminal. Without a terminal there is nobody to
// ask, so it refuses rather than guess: pipelines pass -auto-approve.
func (e *cliEnv) confirm(destroy bool) error {
	f, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return fmt.Errorf("not applied: standard input is not a terminal, so there is nobody to confirm; pass -auto-approve to apply without asking")
	}
	what := "perform these actions"
	if destroy {
		what = "destroy everything this stack owns"
	}
	fmt.Fprintf(e.stdout, "\nDo you want to %s?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ", what)
	line, _ := bufio.NewReader(f).ReadString('\n')
	if strings.TrimSpace(line) != "yes" {
		return fmt.Errorf("not applied: the answer was not 'yes'; nothing was changed")
	}
	return nil
}

// adoptedText completes the "Apply complete!" line of a plan that adopts.
func adoptedText(p *model.Plan) string {
	if n := p.Adoptions(); n > 0 {
		return fmt.Sprintf(", %d adopted", n)
	}
	return ""
}

// readRetries follows the calls retried while the accounts are read, before
// any change: printed to w as they happen when there is a terminal-style
// output, kept for the JSON stream otherwise.
type readRetries struct {
	w     io.Writer
	mu    sync.Mutex
	list  []engine.RetryNotice
	lines *views.RetryLines // grouped, as an apply's are
}

func (r *readRetries) watch(ctx context.Context) context.Context {
	r.lines = views.NewRetryLines("reading: ", views.Colors{})
	return engine.WithRetryReporter(ctx, func(n engine.RetryNotice) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.list = append(r.list, n)
		if r.w != nil {
			r.lines.Add("", n)
			fmt.Fprint(r.w, r.lines.Due(time.Now(), false))
		}
	})
}

// flush writes the read retries not yet reported, once the read is over.
func (r *readRetries) flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w != nil && r.lines != nil {
		fmt.Fprint(r.w, r.lines.Due(time.Now(), true))
	}
}

// freshPlan stops under -strict when lint finds anything, opens the target
// for writing, reads the accounts (retries shown on standard error, or kept
// for the JSON stream) and makes the whole plan that apply and apply FILE
// carry out. The caller closes the target.
func (e *cliEnv) freshPlan(ctx context.Context, cmd *cli.Command, cfg *model.Config, destroy bool) (*model.Plan, engine.Provider, *readRetries, func() error, error) {
	if err := e.strictLint(cmd, cfg, destroy); err != nil {
		return nil, nil, nil, nil, err
	}
	prov, closeFn, err := e.openTarget(ctx, cmd, cfg, false)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	reads := &readRetries{}
	if !cmd.Bool("json") {
		reads.w = e.stderr
	}
	plan, err := e.makePlan(reads.watch(ctx), cmd, cfg, prov, destroy)
	reads.flush()
	if err != nil {
		closeFn()
		return nil, nil, nil, nil, err
	}
	return plan, prov, reads, closeFn, nil
}

// makePlan makes the whole plan through the engine, the stack's lint
// findings shown on standard error as warnings.
func (e *cliEnv) makePlan(ctx context.Context, cmd *cli.Command, cfg *model.Config, prov engine.Provider, destroy bool) (*model.Plan, error) {
	plan, err := engine.MakePlan(ctx, cfg, prov, engine.PlanOptions{Destroy: destroy, AWSManaged: local.AWSManagedPolicy})
	if err != nil {
		// The stack's findings still matter to whoever mends the error
		// (they came before the accounts were read, before the plan).
		if !destroy {
			e.warnFindings(cfg, lint.Check(cfg))
		}
		return nil, planError(err)
	}
	e.warnFindings(cfg, plan.Findings)
	return plan, nil
}

// strictLint stops a plan under -strict before the target is even opened
// when lint finds anything in the stack (a destroy plan is not linted).
func (e *cliEnv) strictLint(cmd *cli.Command, cfg *model.Config, destroy bool) error {
	if !cmd.Bool("strict") || destroy {
		return nil
	}
	findings := lint.Check(cfg)
	e.warnFindings(cfg, findings)
	return strictError(cmd, findings)
}
