package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v3"

	"github.com/trustform/trustform/cmd/trustform/views"
)

// graph: the stack's trust graph (accounts, principals, trust, grants,
// denies, memberships) as Graphviz DOT or a Mermaid flowchart, made from the
// configuration alone, for reviews and documentation. It reads no account.

func graphCommand(env *cliEnv) *cli.Command {
	return &cli.Command{
		Name:      "graph",
		Usage:     "print the stack's trust graph as Graphviz DOT or a Mermaid flowchart",
		ArgsUsage: "[DIR]",
		Flags: append(stackFlags(),
			&cli.StringFlag{Name: "format", Value: "dot", Usage: "dot (Graphviz: pipe into dot -Tsvg) or mermaid (a flowchart for Markdown)"},
		),
		Action: env.graph,
	}
}

func (e *cliEnv) graph(ctx context.Context, cmd *cli.Command) error {
	format := cmd.String("format")
	// The format is checked before the stack is loaded, so that a typo is
	// reported alone rather than after the stack's warnings.
	if format != "dot" && format != "mermaid" {
		return fmt.Errorf("-format must be dot or mermaid, not %q", format)
	}
	cfg, err := e.load(ctx, cmd, false)
	if err != nil {
		return err
	}
	g, err := views.BuildGraph(cfg)
	if err != nil {
		return err
	}
	if format == "mermaid" {
		_, err = fmt.Fprint(e.stdout, g.Mermaid())
	} else {
		_, err = fmt.Fprint(e.stdout, g.DOT())
	}
	return err
}
