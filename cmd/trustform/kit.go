package main

import (
	"context"

	"github.com/urfave/cli/v3"

	"github.com/trustform/trustform/cmd/trustform/views"
)

// access: the access kit of every role a stack declares (ARN, console link,
// ~/.aws/config profile, aws sts assume-role command), made from the
// configuration alone. It reads no account, so it works before the first
// apply and needs no credentials; who-can is the command that reads them.

func accessKitCommand(env *cliEnv) *cli.Command {
	return &cli.Command{
		Name:      "access",
		Usage:     "print, for each role the stack declares, how to use it: ARN, console link, ~/.aws/config profile, aws CLI command",
		ArgsUsage: "[DIR]",
		Flags: append(stackFlags(),
			&cli.BoolFlag{Name: "json", Usage: "print the kit as JSON"},
		),
		Action: env.accessKit,
	}
}

func (e *cliEnv) accessKit(ctx context.Context, cmd *cli.Command) error {
	// No account is read, so IAM's default quotas apply, as in validate.
	cfg, err := e.load(ctx, cmd, false)
	if err != nil {
		return err
	}
	kit, err := views.BuildAccessKit(cfg)
	if err != nil {
		return err
	}
	return views.NewKit(answerView(cmd), e.stdout, e.colors(cmd, e.stdout)).Show(kit)
}
