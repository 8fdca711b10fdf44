package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	"github.com/urfave/cli/v3"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/schema/hclgen"
)

func importCommand(env *cliEnv) *cli.Command {
	return &cli.Command{
		Name:  "import",
		Usage: "write HCL that adopts the roles, policies, groups, users and grants found in an account",
		Description: "Reads one declared account and writes a file of blocks for the objects in it that no trustform stack\n" +
			"owns and the stack does not declare yet, each marked adopt = true. The next plan shows only their\n" +
			"adoption; after the adopting apply the stack owns them. Nothing is changed by import itself.",
		ArgsUsage: "[DIR]",
		Flags: append(append(stackFlags(), targetFlags()...),
			&cli.StringFlag{Name: "account", Usage: "the account block to import from, by name (e.g. production)", Required: true},
			&cli.StringFlag{Name: "match", Usage: "import only objects whose IAM name matches this shell pattern, e.g. 'App*'"},
			&cli.StringFlag{Name: "out", Usage: "the file to write (default DIR/imported-ACCOUNT.hcl); - for standard output"},
		),
		Action: env.importAccount,
	}
}

func (e *cliEnv) importAccount(ctx context.Context, cmd *cli.Command) error {
	dir, err := stackDir(cmd)
	if err != nil {
		return err
	}
	cfg, err := e.loadDir(ctx, cmd, dir, false)
	if err != nil {
		return err
	}
	acct := findAccount(cfg, cmd.String("account"))
	if acct == nil {
		var names []string
		for _, a := range cfg.Accounts {
			names = append(names, a.Name)
		}
		return fmt.Errorf("the stack declares no account %q: declare it with an account block first (the stack's accounts: %s)", cmd.String("account"), strings.Join(names, ", "))
	}
	if acct.External {
		return fmt.Errorf("account %s is external = true: trustform holds no credentials for it and never reads it; remove external = true to import from it", acct.Name)
	}
	out := cmd.String("out")
	if out == "" {
		out = filepath.Join(dir, "imported-"+hclgen.Label(acct.Name)+".hcl")
	}
	if out != "-" {
		if _, err := os.Stat(out); err == nil {
			return fmt.Errorf("%s exists: import never overwrites a file; move it away or choose another with -out", out)
		}
	}

	prov, closeFn, err := e.openTarget(ctx, cmd, cfg, true)
	if err != nil {
		return err
	}
	defer closeFn()
	read, id, err := engine.ReadAccount(ctx, cfg, prov, acct)
	if err != nil {
		return err
	}

	res, err := hclgen.Generate(hclgen.Input{
		Stack: cfg.Stack.Name, Account: acct, Read: read, Config: cfg,
		Match: cmd.String("match"), Skip: credentialRoles(cmd, cfg, acct, id.ARN),
	})
	if err != nil {
		return err
	}
	if len(res.Imported) == 0 {
		fmt.Fprintf(e.stdout, "Nothing to import from %s (%s): every object is the stack's, declared by it, or left out.\n", acct.Name, acct.ID)
		writeSkipped(e.stdout, res.Skipped)
		return nil
	}
	if out == "-" {
		// The HCL alone on standard output, so that it can be redirected;
		// what was left out, and why, on standard error.
		writeSkipped(e.stderr, res.Skipped)
		_, err := e.stdout.Write(res.HCL)
		return err
	}
	if err := writeNew(out, res.HCL); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Imported from %s (%s) into %s:\n", acct.Name, acct.ID, out)
	for _, it := range res.Imported {
		fmt.Fprintf(e.stdout, "  %-40s %s %q", it.Address, kindText(it.Kind), it.Name)
		if it.Reason != "" {
			fmt.Fprintf(e.stdout, " (%s)", it.Reason)
		}
		fmt.Fprintln(e.stdout)
	}
	writeSkipped(e.stdout, res.Skipped)
	return e.checkImport(ctx, cmd, dir, acct, read, res)
}

func findAccount(cfg *model.Config, name string) *model.AccountConfig {
	for _, a := range cfg.Accounts {
		if a.Name == name || a.Address == name || a.ID == name {
			return a
		}
	}
	return nil
}

// credentialRoles names the roles trustform itself uses to reach the
// account: importing one would let a later destroy cut off the stack's own
// access.
func credentialRoles(cmd *cli.Command, cfg *model.Config, acct *model.AccountConfig, identity string) map[string]string {
	skip := map[string]string{}
	const why = "trustform reaches the account through it"
	if n := cmd.String("assume-role-name"); n != "" {
		skip[model.NameKey(n)] = why
	} else if cfg.Stack.AssumeRoleName != "" {
		skip[model.NameKey(cfg.Stack.AssumeRoleName)] = why
	}
	if ar := acct.AssumeRole; ar != nil {
		if p, err := model.ParsePrincipal(ar.RoleARN); err == nil && p.Kind == model.PrincipalRole {
			skip[model.NameKey(p.Name)] = why
		}
	}
	// arn:aws:sts::111111111111:assumed-role/NAME/session
	if p, err := model.ParsePrincipal(identity); err == nil && p.Kind == model.PrincipalAssumedRole {
		skip[model.NameKey(p.Name)] = "it is the role this import runs as"
	}
	return skip
}

func kindText(k model.Kind) string {
	switch k {
	case model.KindPolicy:
		return "managed policy"
	case "grant", "deny":
		return string(k) + " of"
	}
	return string(k)
}

func writeSkipped(w io.Writer, skipped []hclgen.Item) {
	if len(skipped) == 0 {
		return
	}
	fmt.Fprintln(w, "Left out:")
	for _, it := range skipped {
		fmt.Fprintf(w, "  %s %q: %s\n", kindText(it.Kind), it.Name, it.Reason)
	}
}

// writeNew creates a file that must not exist yet.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// checkImport loads the stack with the new file and compares it with the
// account as just read: the imported blocks must lead to adoptions only. A
// block that would change its object is named, so that the user sees it
// before any plan.
func (e *cliEnv) checkImport(ctx context.Context, cmd *cli.Command, dir string, acct *model.AccountConfig, read *model.Account, res *hclgen.Result) error {
	cfg, err := e.loadDir(ctx, cmd, dir, false)
	if err != nil {
		return fmt.Errorf("the imported file does not load; this is a bug in import, please report it with the file: %w", err)
	}
	desired, err := engine.Desired(cfg)
	if err != nil {
		return err
	}
	one := *cfg
	one.Accounts = []*model.AccountConfig{findAccount(cfg, acct.Name)}
	actual := model.NewState()
	actual.Accounts[acct.ID] = read
	changes, err := engine.Diff(actual, desired, &one)
	if err != nil {
		return fmt.Errorf("the next plan of %s would stop: %w", acct.Name, err)
	}
	addresses := map[string]bool{}
	importedObjects := map[model.Key]bool{}
	for _, it := range res.Imported {
		addresses[it.Address] = true
		importedObjects[model.PrincipalKey(acct.ID, it.Kind, it.Name)] = true
	}
	adopt, ledger := 0, 0
	var unexpected []string
	for _, c := range changes {
		switch {
		case c.Action == model.Adopt && len(c.Attrs) == 0:
			adopt++
		case c.Action == model.Adopt && onlyOwnerTag(c.Attrs):
			adopt++
		case c.Block == ownership.LedgerAddress:
			ledger++
		case addresses[c.Block] || touches(c, acct.ID, importedObjects):
			unexpected = append(unexpected, engine.Describe(c))
		}
	}
	fmt.Fprintf(e.stdout, "\nChecked against %s as read: the next plan adopts %d objects", acct.Name, adopt)
	if ledger > 0 {
		fmt.Fprintf(e.stdout, " and records the groups and managed policies among them in the stack's ledger")
	}
	if len(unexpected) == 0 {
		fmt.Fprintln(e.stdout, ", and changes no document.")
		return nil
	}
	fmt.Fprintln(e.stdout, ", but also:")
	slices.Sort(unexpected)
	for _, u := range unexpected {
		fmt.Fprintf(e.stdout, "  %s\n", u)
	}
	return errors.New("the imported blocks do not reproduce the account exactly (listed above): review them before you plan")
}

// onlyOwnerTag reports whether an adoption changes nothing but the ownership
// tag and the stack's record of what it applied (trustform:applied), which
// an adopted role or user receives with it.
func onlyOwnerTag(attrs []model.AttrDiff) bool {
	for _, a := range attrs {
		if name := strings.TrimPrefix(a.Name, "tags."); a.Name == name || name != ownership.OwnerTagKey && !ownership.IsAppliedTag(name) {
			return false
		}
	}
	return true
}

// touches reports whether a change concerns an object import wrote a block
// for, though no block declares the change itself: the membership of a user
// the stack declares without the group, in a group it adopts, would be taken
// away by the next plan and is blamed on no block.
func touches(c *model.Change, account string, imported map[model.Key]bool) bool {
	for _, obj := range []model.Object{c.Before, c.After} {
		switch o := obj.(type) {
		case *model.Membership:
			if o != nil && (imported[model.PrincipalKey(account, model.KindUser, o.User)] || imported[model.PrincipalKey(account, model.KindGroup, o.Group)]) {
				return true
			}
		case *model.InlinePolicy:
			if o != nil && imported[model.PrincipalKey(account, o.PrincipalKind, o.PrincipalName)] {
				return true
			}
		case *model.Attachment:
			if o != nil && imported[model.PrincipalKey(account, o.PrincipalKind, o.PrincipalName)] {
				return true
			}
		}
	}
	return false
}
