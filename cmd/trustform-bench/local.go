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

// localResult is a Go benchmark of the whole command on the local target at
// one size (cmd/trustform): BenchmarkNoChangePlanLocal, a no-change plan, or
// BenchmarkApplyFromEmptyLocal, an apply from empty; seconds per command,
// one value per -count.
type localResult struct {
	// Benchmark is the benchmark's name without "Benchmark" and "Local":
	// "NoChangePlan" (also when absent, in older results) or
	// "ApplyFromEmpty".
	Benchmark string    `json:"benchmark,omitempty"`
	Size      string    `json:"size"`
	Objects   int       `json:"objects"`
	Seconds   []float64 `json:"seconds_per_plan"`
	Commit    string    `json:"commit,omitempty"`
	Ended     string    `json:"ended,omitempty"`
}

// benchLine matches a line of `go test -bench` output of that benchmark:
// name/size-procs, iterations, ns/op, then the objects metric.
var benchLine = regexp.MustCompile(`^Benchmark(NoChangePlan|ApplyFromEmpty)Local/(\w+)-\d+\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) objects`)

// runLocal runs a Go benchmark on the local target (bench: "NoChangePlan"
// or "ApplyFromEmpty") at the given sizes (sub-benchmark names), count times
// each, 3 commands a measurement, and returns a result per size.
func runLocal(bench string, sizes []string, count int, commit string) ([]localResult, error) {
	pattern := "^Benchmark" + bench + "Local$/^(" + strings.Join(sizes, "|") + ")$"
	cmd := exec.Command("go", "test", "./cmd/trustform", "-run", "^$", "-bench", pattern, "-benchtime", "3x", "-count", strconv.Itoa(count), "-timeout", "60m")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	fmt.Fprintf(os.Stderr, "%s go test -bench %s -count %d\n", time.Now().Format("15:04:05"), pattern, count)
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("local benchmark: %v\n%s", err, tail(out.String()))
	}
	return parseLocal(out.String(), commit, time.Now().UTC().Format(time.RFC3339))
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
		ns, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			return nil, err
		}
		objects, err := strconv.ParseFloat(m[4], 64)
		if err != nil {
			return nil, err
		}
		key := m[1] + "/" + m[2]
		i, ok := bySize[key]
		if !ok {
			i = len(out)
			bySize[key] = i
			out = append(out, localResult{Benchmark: m[1], Size: m[2], Objects: int(objects), Commit: commit, Ended: ended})
		}
		out[i].Seconds = append(out[i].Seconds, ns/1e9)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("local benchmark printed no results of BenchmarkNoChangePlanLocal or BenchmarkApplyFromEmptyLocal:\n%s", tail(output))
	}
	return out, nil
}
