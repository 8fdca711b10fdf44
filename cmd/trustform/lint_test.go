package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
)

func TestLintCommand(t *testing.T) {
	mfa := copyExample(t, "mfa-required")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{"a clean example", []string{"lint", filepath.Join("..", "..", "examples", "dev-prod")}, 0, []string{`No findings in stack "devprod"`}, nil},
		{"a finding is a warning with its place and fix", []string{"lint", mfa}, 0,
			[]string{"production.hcl:3:1: high TF006 admin-on-cross-account-role: role.admin:", "  fix: "}, nil},
		{"strict makes it an error", []string{"lint", "-strict", mfa}, 1, []string{"TF006"}, []string{"-strict: 1 lint finding(s)"}},
		{"plan prints findings as warnings and plans", []string{"plan", mfa}, 0, []string{"Plan: "}, []string{"Warning: 1 lint finding(s)", "TF006"}},
		{"plan -strict stops before reading any account", []string{"plan", "-strict", mfa}, 1, nil, []string{"-strict: 1 lint finding(s)"}},
		{"apply -strict changes nothing", []string{"apply", "-strict", "-auto-approve", mfa}, 1, nil, []string{"-strict: 1 lint finding(s)"}},
		{"the rules", []string{"lint", "-rules"}, 0, []string{"TF001  trust-anyone", "TF011  duplicate-sid"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustRun(t, tc.code, tc.args...)
			for _, w := range tc.stdout {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			for _, w := range tc.stderr {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(mfa, ".trustform")); err == nil {
		t.Error("a strict run refused before planning, yet the simulation was written: the apply case must change nothing")
	}
}

func TestLintJSON(t *testing.T) {
	r := mustRun(t, 0, "lint", "-json", copyExample(t, "mfa-required"))
	var out struct {
		FormatVersion string          `json:"format_version"`
		Findings      []model.Finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.FormatVersion != "1" || len(out.Findings) != 1 || out.Findings[0].ID != "TF006" || out.Findings[0].Source.Line != 3 {
		t.Fatalf("lint -json: %+v", out)
	}
}
