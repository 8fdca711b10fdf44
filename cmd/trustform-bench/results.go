package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// metrics is what one phase of one run cost.
type metrics struct {
	WallSeconds  float64        `json:"wall_seconds"`
	CPUSeconds   float64        `json:"cpu_seconds"`
	PeakRSSBytes int64          `json:"peak_rss_bytes"`
	Calls        int            `json:"calls"`
	ByAction     map[string]int `json:"by_action"`
	// ServerCPUSeconds is moto's own CPU time during the phase, so that a
	// reader sees whose time the wall time is (moto serves one call at a
	// time). Absent in results older than it.
	ServerCPUSeconds float64 `json:"server_cpu_seconds,omitempty"`
}

type phaseResult struct {
	Phase   string  `json:"phase"`
	Measure metrics `json:"measure"`
}

// runResult is one run of one tool on one stack: every phase.
type runResult struct {
	Tool     string `json:"tool"`
	Size     string `json:"size"`
	Objects  int    `json:"objects"`
	Accounts int    `json:"accounts"`
	// CheapPolicies says moto ran with its AWS managed policies made
	// cheap (mototest.LaunchCheapPolicies).
	CheapPolicies bool `json:"cheap_policies,omitempty"`
	// Commit and Ended say which trustform was built for the run and
	// when it ended, so that a report gathered with -keep can say so.
	Commit string        `json:"commit,omitempty"`
	Ended  string        `json:"ended,omitempty"`
	Phases []phaseResult `json:"phases"`
}

// results is everything a benchmark run measured.
type results struct {
	Date     string        `json:"date"`
	Machine  [][2]string   `json:"machine"`
	Versions [][2]string   `json:"versions"`
	Notes    []string      `json:"notes"`
	Results  []runResult   `json:"results"`
	Local    []localResult `json:"local,omitempty"`
}

func saveResults(path string, r *results) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func loadResults(path string) (*results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r results
	return &r, json.Unmarshal(b, &r)
}

// machine describes the machine the benchmark ran on.
func machine() [][2]string {
	out := [][2]string{{"OS / arch", runtime.GOOS + "/" + runtime.GOARCH}, {"CPUs", strconv.Itoa(runtime.NumCPU())}}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				out = append(out, [2]string{"CPU", strings.TrimSpace(v)})
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if line, _, ok := strings.Cut(string(b), "\n"); ok {
			out = append(out, [2]string{"Memory", strings.TrimSpace(strings.TrimPrefix(line, "MemTotal:"))})
		}
	}
	return out
}

// versions names what was measured and against what.
func versions() [][2]string {
	first := func(name string, args ...string) string {
		b, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			return "not available"
		}
		line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
		return line
	}
	rev := gitCommit()
	tf := "not available"
	if b, err := exec.Command("terraform", "version").CombinedOutput(); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "Terraform v") {
				tf = line
			}
		}
	}
	return [][2]string{
		{"trustform", "git " + rev + ", built with " + runtime.Version()},
		{"Terraform", tf},
		{"Terraform AWS provider", "5.100.0 (filesystem mirror)"},
		{"moto", "moto " + first("python3", "-c", "import moto; print(moto.__version__)")},
	}
}

// gitCommit is the short hash of the checked-out commit, with "+changes"
// when the tree differs from it.
func gitCommit() string {
	b, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	rev := strings.TrimSpace(string(b))
	if out, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(bytes.TrimSpace(out)) > 0 {
		rev += "+changes"
	}
	return rev
}
