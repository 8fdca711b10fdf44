package main

import (
	"context"
	"fmt"

	"github.com/trustform/trustform/cmd/trustform/views"
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
	if err := views.NewLint(answerView(cmd), e.stdout).Show(cfg.Stack.Name, findings); err != nil {
		return err
	}
	return strictError(cmd, findings)
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
	views.FindingsBrief(e.stderr, findings)
	fmt.Fprintln(e.stderr)
}
