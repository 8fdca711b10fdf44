package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/trustform/trustform/engine/model"

	"github.com/urfave/cli/v3"

	"github.com/trustform/trustform/engine/lint"
)

func lintCommand(env *cliEnv) *cli.Command {
	return &cli.Command{
		Name:      "lint",
		Usage:     "find risky or ineffective trust in a stack (plan runs these checks too)",
		ArgsUsage: "[DIR]",
		Flags: append(stackFlags(),
			&cli.BoolFlag{Name: "strict", Usage: "exit 1 when there is any finding"},
			&cli.BoolFlag{Name: "json", Usage: "print the findings as JSON"},
			&cli.BoolFlag{Name: "rules", Usage: "list the rules and exit"},
		),
		Action: env.lint,
	}
}

// strictFlag is the -strict flag of plan and apply: lint findings stop them.
func strictFlag() cli.Flag {
	return &cli.BoolFlag{Name: "strict", Usage: "treat lint findings as errors: stop before reading any account"}
}

func (e *cliEnv) lint(ctx context.Context, cmd *cli.Command) error {
	if cmd.Bool("rules") {
		for _, r := range lint.Rules {
			fmt.Fprintf(e.stdout, "%s  %-32s %-6s  %s\n", r.ID, r.Name, r.Severity, r.Summary)
		}
		return nil
	}
	cfg, err := e.load(ctx, cmd, false)
	if err != nil {
		return err
	}
	findings := lint.Check(cfg)
	if cmd.Bool("json") {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		out := struct {
			FormatVersion string          `json:"format_version"`
			Findings      []model.Finding `json:"findings"`
		}{"1", findings}
		if out.Findings == nil {
			out.Findings = []model.Finding{}
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else if len(findings) == 0 {
		fmt.Fprintf(e.stdout, "No findings in stack %q.\n", cfg.Stack.Name)
	} else {
		writeFindings(e.stdout, findings)
	}
	return strictError(cmd, findings)
}

// writeFindings prints findings one per line with the fix under each, as
// compilers print warnings.
func writeFindings(w io.Writer, findings []model.Finding) {
	for _, f := range findings {
		fmt.Fprintf(w, "%s: %s %s %s: %s: %s\n", position(f.Source), f.Severity, f.ID, f.Rule, f.Address, f.Message)
		fmt.Fprintf(w, "  fix: %s\n", f.Hint)
	}
}

func position(s model.Source) string {
	if s.Filename == "" {
		return "(stack)"
	}
	return fmt.Sprintf("%s:%d:%d", s.Filename, s.Line, s.Column)
}

func strictError(cmd *cli.Command, findings []model.Finding) error {
	if cmd.Bool("strict") && len(findings) > 0 {
		return fmt.Errorf("-strict: %d lint finding(s); fix them, or run without -strict to treat them as warnings", len(findings))
	}
	return nil
}

// warnFindings shows the lint findings of a stack about to be planned on
// standard error, as warnings.
func (e *cliEnv) warnFindings(cfg *model.Config, findings []model.Finding) {
	if len(findings) == 0 {
		return
	}
	fmt.Fprintf(e.stderr, "Warning: %d lint finding(s) (trustform lint %s):\n", len(findings), cfg.Stack.Dir)
	writeFindings(e.stderr, findings)
	fmt.Fprintln(e.stderr)
}
