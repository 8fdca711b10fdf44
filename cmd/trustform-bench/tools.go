package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/trustform/trustform/internal/stackgen"
)

// tool is one of the two provisioners measured.
type tool interface {
	name() string
	// prepare writes the stack into dir and does what must happen before
	// the first phase (not measured): for Terraform, init.
	prepare(dir string, spec stackgen.Spec, endpoint string, env []string) error
	command(dir, phase string) []string
	env(base []string) []string
	wantExit(phase string) int
	// changeOne changes one attribute of one object: the tag of the first
	// role.
	changeOne(dir string) error
}

type trustformTool struct{ bin string }

func (t *trustformTool) name() string { return "trustform" }

func (t *trustformTool) prepare(dir string, spec stackgen.Spec, _ string, _ []string) error {
	return writeFiles(dir, spec.Files())
}

func (t *trustformTool) command(dir, phase string) []string {
	flags := []string{"--target", "aws", "--assume-role-name", "OrganizationAccountAccessRole", dir}
	switch phase {
	case "no-change plan", manyChangePlan:
		return append([]string{t.bin, "plan", "-detailed-exitcode"}, flags...)
	case "destroy":
		return append([]string{t.bin, "destroy", "-auto-approve"}, flags...)
	}
	return append([]string{t.bin, "apply", "-auto-approve"}, flags...)
}

func (t *trustformTool) env(base []string) []string { return base }

// wantExit is plan -detailed-exitcode's 2 (changes) for the plan of many
// changes, 0 otherwise.
func (t *trustformTool) wantExit(phase string) int {
	if phase == manyChangePlan {
		return 2
	}
	return 0
}
func (t *trustformTool) changeOne(dir string) error {
	return changeFirstTag(filepath.Join(dir, stackgen.AccountFile(0)))
}

type terraformTool struct {
	bin, cliConfig string
}

func (t *terraformTool) name() string { return "terraform" }

func (t *terraformTool) env(base []string) []string {
	return append(base, "TF_CLI_CONFIG_FILE="+t.cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
}

func (t *terraformTool) prepare(dir string, spec stackgen.Spec, endpoint string, env []string) error {
	if err := writeFiles(dir, spec.TerraformFiles(endpoint)); err != nil {
		return err
	}
	cmd := exec.Command(t.bin, "init", "-input=false", "-no-color")
	cmd.Dir = dir
	cmd.Env = t.env(env)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("terraform init: %v\n%s", err, out)
	}
	return nil
}

func (t *terraformTool) command(dir, phase string) []string {
	chdir := "-chdir=" + dir
	switch phase {
	case "no-change plan", manyChangePlan:
		return []string{t.bin, chdir, "plan", "-detailed-exitcode", "-input=false", "-no-color"}
	case "destroy":
		return []string{t.bin, chdir, "destroy", "-auto-approve", "-input=false", "-no-color"}
	}
	return []string{t.bin, chdir, "apply", "-auto-approve", "-input=false", "-no-color"}
}

func (t *terraformTool) wantExit(string) int { return 0 }
func (t *terraformTool) changeOne(dir string) error {
	return changeFirstTag(filepath.Join(dir, "main.tf"))
}

// findTerraform returns the Terraform tool, or nil and why it cannot run.
func findTerraform(work, mirror string) (*terraformTool, string) {
	bin, err := exec.LookPath("terraform")
	if err != nil {
		return nil, "Terraform was not measured: terraform is not on the PATH."
	}
	if st, err := os.Stat(mirror); err != nil || !st.IsDir() {
		return nil, fmt.Sprintf("Terraform was not measured: its AWS provider mirror %s is missing.", mirror)
	}
	cfg, err := stackgen.WriteTerraformCLIConfig(work, mirror)
	if err != nil {
		return nil, "Terraform was not measured: " + err.Error()
	}
	return &terraformTool{bin: bin, cliConfig: cfg}, ""
}

// changeFirstTag changes the tag of the first role, the same object in both
// tools' files: its value "app-0" becomes "app-0-changed".
func changeFirstTag(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	text := string(b)
	i := strings.Index(text, `"app-0"`)
	if i < 0 {
		return fmt.Errorf("%s has no tag value \"app-0\" to change", path)
	}
	text = text[:i] + `"app-0-changed"` + text[i+len(`"app-0"`):]
	return os.WriteFile(path, []byte(text), 0o644)
}

// changeMany changes the first role's tag in the files of the first n
// accounts, and returns how to put them back.
func changeMany(dir string, n int) (func() error, error) {
	saved := map[string][]byte{}
	restore := func() error {
		for path, b := range saved {
			if err := os.WriteFile(path, b, 0o644); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range n {
		path := filepath.Join(dir, stackgen.AccountFile(i))
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, errors.Join(err, restore())
		}
		saved[path] = b
		if err := changeFirstTag(path); err != nil {
			return nil, errors.Join(err, restore())
		}
	}
	return restore, nil
}

func writeFiles(dir string, files map[string]string) error {
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}
