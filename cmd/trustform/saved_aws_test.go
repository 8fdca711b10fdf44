package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// On the aws target too, a saved plan forged with a recomputed checksum is
// refused and changes nothing, flags that would reach other accounts are
// refused, and the plan applied as written says where it goes.
func TestSavedPlanForgeryOnMoto(t *testing.T) {
	if inOwnProcess(t) {
		return
	}
	dir, _ := devProdOnMoto(t)
	dev, prod := newAWSCLI(t, "111111111111"), newAWSCLI(t, "999999999999")
	saved := filepath.Join(t.TempDir(), "plan.json")
	mustRun(t, 0, append(append([]string{"plan", "-out", saved}, strings.Fields(awsFlags)...), dir)...)
	genuine := filepath.Join(t.TempDir(), "genuine.json")
	mustRun(t, 0, append(append([]string{"plan", "-out", genuine}, strings.Fields(awsFlags)...), dir)...)
	forge(t, saved, forgeries[0].mutate)

	details := func() string {
		return dev.run("iam", "get-account-authorization-details", "--output", "json") + prod.run("iam", "get-account-authorization-details", "--output", "json")
	}
	before := details()
	r := mustRun(t, 1, "apply", saved)
	if !strings.Contains(r.stderr, "is not the plan of its stack") || !strings.Contains(r.stderr, "PowerUserAccess") {
		t.Fatalf("forged plan not refused on moto:\n%s%s", r.stdout, r.stderr)
	}
	if details() != before {
		t.Fatal("a forged plan changed the accounts")
	}
	if att := dev.run("iam", "list-attached-group-policies", "--group-name", "Testers"); !strings.Contains(att, "PowerUserAccess") {
		t.Fatalf("Testers lost PowerUserAccess:\n%s", att)
	}

	for _, tc := range []struct {
		name  string
		flags []string
		want  string
	}{
		{"target local", []string{"--target", "local"}, "--target local: the plan was made for the aws target"},
		{"another assume-role name", []string{"--assume-role-name", "Other"}, "--assume-role-name Other: the plan was made with the assume-role name OrganizationAccountAccessRole"},
		{"state-dir", []string{"--state-dir", t.TempDir()}, "--state-dir: the plan was made for the aws target"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mustRun(t, 1, append(append([]string{"apply"}, tc.flags...), genuine)...)
			if !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("want %q:\n%s", tc.want, r.stderr)
			}
		})
	}
	if details() != before {
		t.Fatal("a refused plan changed the accounts")
	}

	where := ", assuming the role OrganizationAccountAccessRole in each account without credentials of its own; stack " + dir
	if r := mustRun(t, 0, "show", genuine); !strings.Contains(r.stdout, where) {
		t.Fatalf("show does not say where the plan goes:\n%s", r.stdout)
	}
	r = mustRun(t, 0, "apply", genuine)
	if !strings.Contains(r.stdout, where) || !strings.Contains(r.stdout, "Apply complete! 5 added, 0 changed, 0 destroyed.") {
		t.Fatalf("saved plan on moto:\n%s", r.stdout)
	}
}
