package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// localResult is the Go benchmark of a no-change plan on the local target
// (BenchmarkNoChangePlanLocal in cmd/trustform) at one size: the whole plan
// command, seconds per plan, one value per -count.
type localResult struct {
	Size    string    `json:"size"`
	Objects int       `json:"objects"`
	Seconds []float64 `json:"seconds_per_plan"`
	Commit  string    `json:"commit,omitempty"`
	Ended   string    `json:"ended,omitempty"`
}

// benchLine matches a line of `go test -bench` output of that benchmark:
// name/size-procs, iterations, ns/op, then the objects metric.
var benchLine = regexp.MustCompile(`^BenchmarkNoChangePlanLocal/(\w+)-\d+\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) objects`)

// runLocal runs the Go benchmark of a no-change plan on the local target at
// the given sizes (sub-benchmark names), count times each, 3 plans a
// measurement, and returns a result per size.
func runLocal(sizes []string, count int) ([]localResult, error) {
	pattern := "^BenchmarkNoChangePlanLocal$/^(" + strings.Join(sizes, "|") + ")$"
	cmd := exec.Command("go", "test", "./cmd/trustform", "-run", "^$", "-bench", pattern, "-benchtime", "3x", "-count", strconv.Itoa(count))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	fmt.Fprintf(os.Stderr, "%s go test -bench %s -count %d\n", time.Now().Format("15:04:05"), pattern, count)
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("local benchmark: %v\n%s", err, tail(out.String()))
	}
	return parseLocal(out.String(), gitCommit(), time.Now().UTC().Format(time.RFC3339))
}

// parseLocal reads the benchmark's output into a result per size, in the
// order the sizes first appear.
func parseLocal(output, commit, ended string) ([]localResult, error) {
	var out []localResult
	bySize := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(output))
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ns, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return nil, err
		}
		objects, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			return nil, err
		}
		i, ok := bySize[m[1]]
		if !ok {
			i = len(out)
			bySize[m[1]] = i
			out = append(out, localResult{Size: m[1], Objects: int(objects), Commit: commit, Ended: ended})
		}
		out[i].Seconds = append(out[i].Seconds, ns/1e9)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("local benchmark printed no BenchmarkNoChangePlanLocal results:\n%s", tail(output))
	}
	return out, nil
}
