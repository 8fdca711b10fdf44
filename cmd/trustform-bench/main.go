package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/trustform/trustform/internal/faultproxy"
	"github.com/trustform/trustform/internal/stackgen"
	"github.com/trustform/trustform/providers/aws/mototest"
)

// size is one stack size of the benchmark.
type size struct {
	name string
	spec stackgen.Spec
	// cheapPolicies runs moto with its AWS managed policies made cheap
	// (mototest.LaunchCheapPolicies): as installed, moto builds their
	// catalogue into each of a thousand accounts.
	cheapPolicies bool
}

var sizes = []size{
	{"50", stackgen.Spec{Stack: "bench", Target: "aws", Accounts: 2, Roles: 5, Groups: 2}, false},
	{"500", stackgen.Spec{Stack: "bench", Target: "aws", Accounts: 10, Roles: 12, Groups: 1}, false},
	{"2000", stackgen.Spec{Stack: "bench", Target: "aws", Accounts: 10, Roles: 48, Groups: 4}, false},
	{"10000", stackgen.Spec{Stack: "bench", Target: "aws", Accounts: 20, Roles: 124, Groups: 2}, false},
	// Organisation scale: many accounts of a few objects each (2 roles with
	// their policies, 2 groups with a grant and a deny: 14 objects as a plan
	// counts them), the shape of a platform team's trust stack. Not in the
	// default -sizes: an apply of 1,000 accounts on moto takes many minutes.
	// 50x14 is where Terraform's memory is measured against the number of
	// accounts (a provider process per account alias).
	{"50x14", stackgen.Spec{Stack: "bench", Target: "aws", Accounts: 50, Roles: 2, Groups: 2}, true},
	{"200x14", stackgen.Spec{Stack: "bench", Target: "aws", Accounts: 200, Roles: 2, Groups: 2}, true},
	{"1000x14", stackgen.Spec{Stack: "bench", Target: "aws", Accounts: 1000, Roles: 2, Groups: 2}, true},
}

// The phases, in the order they run on one stack. manyChangePlan runs only
// at organisation scale (manyChangeAccounts accounts or more), by trustform.
var phases = []string{"apply from empty", "no-change plan", manyChangePlan, "one-change apply", "destroy"}

const (
	manyChangePlan = "plan of 500 changes"
	// manyChangeAccounts is how many accounts the plan of many changes
	// changes, one role's tag in each: the plan left by an apply
	// interrupted half-way through a tag's roll-out.
	manyChangeAccounts = 500
)

func main() {
	var (
		runs        = flag.Int("runs", 3, "runs per size and tool (medians are reported)")
		only        = flag.String("sizes", "50,500,2000,10000", "the sizes to run, by approximate object count, or 200x14 and 1000x14 (accounts x objects each)")
		tfSizes     = flag.String("terraform-sizes", "50,500", "the sizes Terraform runs at (it takes minutes per run from 500 objects)")
		out         = flag.String("out", "BENCHMARKS.md", "the report to write")
		plot        = flag.String("plot", "docs/bench-no-change-plan.svg", "the SVG plot to write")
		mirror      = flag.String("terraform-mirror", "/opt/tf-plugins", "filesystem mirror holding the Terraform AWS provider")
		resultsFile = flag.String("results", "bench-results.json", "raw results, kept so that the report can be rewritten (-report-only)")
		reportOnly  = flag.Bool("report-only", false, "rewrite the report from -results without running anything")
		toolNames   = flag.String("tools", "trustform,terraform", "the tools to run")
		tfPhases    = flag.String("terraform-phases", "apply,plan,change,destroy", "the phases Terraform runs (apply, plan, change, destroy; in that order, from the first): the last two set no target and take the longest at 10,000 objects")
		localSizes  = flag.String("local-sizes", "500,10000", "the sizes of the Go benchmark of a no-change plan on the local target (BenchmarkNoChangePlanLocal) to run first; empty to skip it")
		localApply  = flag.String("local-apply-sizes", "", "the sizes of the Go benchmark of an apply from empty on the local target (BenchmarkApplyFromEmptyLocal) to run first, e.g. 1000x14; empty to skip it")
		localCount  = flag.Int("local-count", 5, "measurements per size of the local benchmarks, 3 commands each")
		keep        = flag.Bool("keep", false, "keep the runs in -results of the tools and sizes not run now, so that one report can gather several invocations of one session")
		add         = flag.Bool("add", false, "with -keep, add this invocation's runs to those in -results of the same tool and size instead of replacing them (to reach the run count over several invocations)")
		hold        = flag.String("hold", "", "apply the stack of this size with trustform on a fresh moto, print the environment and directory to profile it by hand, and wait until interrupted (measures nothing)")
	)
	flag.Parse()
	if *hold != "" {
		if err := holdStack(*hold); err != nil {
			fmt.Fprintln(os.Stderr, "trustform-bench:", err)
			os.Exit(1)
		}
		return
	}
	opts := options{runs: *runs, sizes: list(*only), tfSizes: list(*tfSizes), tools: list(*toolNames), tfPhases: list(*tfPhases), keep: *keep, add: *add,
		localSizes: *localSizes, localApplySizes: *localApply, localCount: *localCount,
		out: *out, plot: *plot, mirror: *mirror, results: *resultsFile, reportOnly: *reportOnly}
	if err := run(opts); err != nil {
		fmt.Fprintln(os.Stderr, "trustform-bench:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	runs                            int
	sizes, tfSizes, tools, tfPhases map[string]bool
	keep, add, reportOnly           bool
	out, plot, mirror, results      string
	localSizes, localApplySizes     string
	localCount                      int
}

// list is a comma-separated flag value as a set.
func list(s string) map[string]bool {
	set := map[string]bool{}
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			set[v] = true
		}
	}
	return set
}

// phaseKeys are the short names -terraform-phases takes.
var phaseKeys = map[string]string{"apply from empty": "apply", "no-change plan": "plan", "one-change apply": "change", "destroy": "destroy"}

func run(o options) error {
	if o.reportOnly {
		res, err := loadResults(o.results)
		if err != nil {
			return err
		}
		return writeReport(res, o.out, o.plot)
	}
	for k := range o.tfPhases {
		if !slices.Contains(slices.Collect(maps.Values(phaseKeys)), k) {
			return fmt.Errorf("-terraform-phases: unknown phase %q (apply, plan, change, destroy)", k)
		}
	}
	if o.add && !o.keep {
		return errors.New("-add needs -keep: it adds to the runs kept from -results")
	}
	if !o.tfPhases["apply"] {
		return errors.New("-terraform-phases must include apply: every other phase needs the stack applied")
	}
	// Before anything is written: the report and the results it rewrites
	// would otherwise make every run look built from changed sources.
	commit := gitCommit()
	work, err := os.MkdirTemp("", "trustform-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	bin := filepath.Join(work, "trustform")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/trustform").CombinedOutput(); err != nil {
		return fmt.Errorf("building trustform (run from the repository root): %v\n%s", err, out)
	}
	res := &results{Date: time.Now().UTC().Format("2006-01-02"), Machine: machine(), Versions: versions()}
	var tools []tool
	if o.tools["trustform"] {
		tools = append(tools, &trustformTool{bin: bin})
	}
	if o.tools["terraform"] {
		if tf, note := findTerraform(work, o.mirror); tf != nil {
			tools = append(tools, tf)
		} else {
			res.Notes = append(res.Notes, note)
		}
	}
	running := func(toolName, size string) bool {
		return o.tools[toolName] && o.sizes[size] && (toolName != "terraform" || o.tfSizes[size])
	}
	if o.keep {
		old, err := loadResults(o.results)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if old != nil {
			keepFrom(res, old, running, o.add, o.localSizes == "" && o.localApplySizes == "", o.tools["trustform"])
		}
	}
	// First, while nothing else of the benchmark runs.
	for _, lb := range []struct{ bench, sizes string }{{"NoChangePlan", o.localSizes}, {"ApplyFromEmpty", o.localApplySizes}} {
		if lb.sizes == "" {
			continue
		}
		local, err := runLocal(lb.bench, strings.Split(lb.sizes, ","), o.localCount, commit)
		if err != nil {
			return err
		}
		res.Local = append(res.Local, local...)
		if err := saveResults(o.results, res); err != nil {
			return err
		}
	}
	for _, sz := range sizes {
		if !o.sizes[sz.name] {
			continue
		}
		for _, t := range tools {
			if !running(t.name(), sz.name) {
				continue
			}
			for i := range o.runs {
				fmt.Fprintf(os.Stderr, "%s %s, %d objects, run %d of %d\n", time.Now().Format("15:04:05"), t.name(), sz.spec.Objects(), i+1, o.runs)
				r, err := runOnce(work, t, sz, o.tfPhases)
				if err != nil {
					return fmt.Errorf("%s at %d objects, run %d: %w", t.name(), sz.spec.Objects(), i+1, err)
				}
				r.Commit, r.Ended = commit, time.Now().UTC().Format(time.RFC3339)
				res.Results = append(res.Results, r)
				if err := saveResults(o.results, res); err != nil {
					return err
				}
			}
		}
	}
	return writeReport(res, o.out, o.plot)
}

// keepFrom carries into res what -keep keeps of old: the runs of every tool
// and size this invocation does not run (all of them with add), its notes,
// its local benchmark when that is not run again, and the trustform version
// it names when this invocation runs only Terraform.
func keepFrom(res, old *results, running func(tool, size string) bool, add, keepLocal, runsTrustform bool) {
	if !runsTrustform {
		isTrustform := func(v [2]string) bool { return v[0] == "trustform" }
		if i, j := slices.IndexFunc(old.Versions, isTrustform), slices.IndexFunc(res.Versions, isTrustform); i >= 0 && j >= 0 {
			res.Versions[j] = old.Versions[i]
		}
	}
	for _, r := range old.Results {
		if add || !running(r.Tool, r.Size) {
			res.Results = append(res.Results, r)
		}
	}
	// The notes of earlier invocations first, then any this one made
	// (Terraform not found), each once.
	notes := slices.Clone(old.Notes)
	for _, n := range res.Notes {
		if !slices.Contains(notes, n) {
			notes = append(notes, n)
		}
	}
	res.Notes = notes
	if keepLocal {
		res.Local = old.Local
	}
}

// runOnce runs every phase of one tool on one stack, on a fresh moto behind
// a counting proxy, and stops both.
func runOnce(work string, t tool, sz size, tfPhases map[string]bool) (runResult, error) {
	r := runResult{Tool: t.name(), Size: sz.name, Objects: sz.spec.Objects(), Accounts: sz.spec.Accounts, CheapPolicies: sz.cheapPolicies}
	moto, err := launchMoto(sz)
	if err != nil {
		return r, err
	}
	defer moto.Stop()
	proxy, err := faultproxy.Listen(moto.URL, faultproxy.Config{})
	if err != nil {
		return r, err
	}
	defer proxy.Close()

	dir, err := os.MkdirTemp(work, t.name()+"-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	env := append(os.Environ(), motoEnv(proxy.URL, dir)...)
	if err := t.prepare(dir, sz.spec, proxy.URL, env); err != nil {
		return r, err
	}
	for _, ph := range phases {
		if t.name() == "terraform" && !tfPhases[phaseKeys[ph]] {
			// Phases run in order on one stack: one left out ends the run.
			break
		}
		if ph == manyChangePlan && (t.name() != "trustform" || sz.spec.Accounts < manyChangeAccounts) {
			continue
		}
		if ph == "one-change apply" {
			if err := t.changeOne(dir); err != nil {
				return r, err
			}
		}
		var restore func() error
		if ph == manyChangePlan {
			var err error
			if restore, err = changeMany(dir, manyChangeAccounts); err != nil {
				return r, err
			}
		}
		proxy.ResetStats()
		serverBefore := treeCPUSeconds(moto.Pid())
		m, err := measure(t.command(dir, ph), t.env(env), t.wantExit(ph))
		if err != nil {
			return r, fmt.Errorf("%s: %w", ph, err)
		}
		m.ServerCPUSeconds = treeCPUSeconds(moto.Pid()) - serverBefore
		if restore != nil {
			if err := restore(); err != nil {
				return r, err
			}
		}
		st := proxy.Stats()
		m.Calls = st.Requests
		m.ByAction = st.Actions
		r.Phases = append(r.Phases, phaseResult{Phase: ph, Measure: m})
	}
	return r, nil
}

// launchMoto starts the moto_server a size runs against.
func launchMoto(sz size) (*mototest.Server, error) {
	if sz.cheapPolicies {
		return mototest.LaunchCheapPolicies()
	}
	return mototest.Launch()
}

// motoEnv is the environment that points the AWS SDK (and Terraform's
// provider) at moto behind the proxy, with moto's credentials and no shared
// configuration of the machine's.
func motoEnv(endpoint, dir string) []string {
	return []string{"AWS_ENDPOINT_URL=" + endpoint, "AWS_ACCESS_KEY_ID=" + mototest.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + mototest.SecretAccessKey,
		"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "aws-config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "aws-credentials")}
}

// holdStack applies the stack of one size on a fresh moto behind the
// counting proxy and keeps both running until interrupted, for profiling a
// plan by hand (trustform plan -cpuprofile is not a flag: use go test's or
// perf against the printed command).
func holdStack(name string) error {
	i := slices.IndexFunc(sizes, func(s size) bool { return s.name == name })
	if i < 0 {
		return fmt.Errorf("-hold: no size %q", name)
	}
	sz := sizes[i]
	work, err := os.MkdirTemp("", "trustform-hold-")
	if err != nil {
		return err
	}
	bin := filepath.Join(work, "trustform")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/trustform").CombinedOutput(); err != nil {
		return fmt.Errorf("building trustform (run from the repository root): %v\n%s", err, out)
	}
	moto, err := launchMoto(sz)
	if err != nil {
		return err
	}
	defer moto.Stop()
	proxy, err := faultproxy.Listen(moto.URL, faultproxy.Config{})
	if err != nil {
		return err
	}
	defer proxy.Close()
	dir := filepath.Join(work, "stack")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	t := &trustformTool{bin: bin}
	if err := t.prepare(dir, sz.spec, proxy.URL, nil); err != nil {
		return err
	}
	env := motoEnv(proxy.URL, work)
	fmt.Fprintf(os.Stderr, "%s applying %d objects in %d accounts on moto (pid %d)\n", time.Now().Format("15:04:05"), sz.spec.Objects(), sz.spec.Accounts, moto.Pid())
	m, err := measure(t.command(dir, "apply from empty"), append(os.Environ(), env...), 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "applied in %.1f s (trustform CPU %.1f s)\n", m.WallSeconds, m.CPUSeconds)
	// The environment goes to a file of the owner's only, not the
	// terminal: it holds moto's test credentials.
	envFile := filepath.Join(work, "env")
	var b strings.Builder
	for _, kv := range env {
		fmt.Fprintf(&b, "export %s\n", kv)
	}
	if err := os.WriteFile(envFile, []byte(b.String()), 0o600); err != nil {
		return err
	}
	fmt.Printf("# the stack: %s\n# moto_server pid %d; interrupt this command to stop it\n. %s\n", dir, moto.Pid(), envFile)
	fmt.Printf("%s\n", strings.Join(t.command(dir, "no-change plan"), " "))
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return nil
}

// treeCPUSeconds is the user + system CPU time of a process and its
// descendants so far (the server's, read from /proc), or 0 when it cannot
// be read. It counts clock ticks of 100 a second, Linux's USER_HZ on
// every architecture Go supports there.
func treeCPUSeconds(root int) float64 {
	var ticks int64
	stats := procStats()
	for pid, f := range stats {
		if !descends(pid, root, stats) {
			continue
		}
		if len(f) > 14 {
			for _, i := range []int{11, 12, 13, 14} { // utime, stime, cutime, cstime
				v, _ := strconv.ParseInt(f[i], 10, 64)
				ticks += v
			}
		}
	}
	return float64(ticks) / 100
}

// measure runs one command and returns its wall time, the CPU time of it
// and every process it started (the RUSAGE_CHILDREN difference, which
// counts a descendant once it has been waited for), and the peak of its
// processes' resident memory summed, sampled every 20 ms.
func measure(argv []string, env []string, wantExit int) (metrics, error) {
	var m metrics
	var before syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &before)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return m, err
	}
	stop := make(chan struct{})
	peak := make(chan int64)
	go func() { peak <- samplePeak(cmd.Process.Pid, stop) }()
	err := cmd.Wait()
	m.WallSeconds = time.Since(start).Seconds()
	close(stop)
	m.PeakRSSBytes = <-peak
	var after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &after)
	m.CPUSeconds = tvSeconds(after.Utime) + tvSeconds(after.Stime) - tvSeconds(before.Utime) - tvSeconds(before.Stime)
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		return m, err
	}
	if code != wantExit {
		return m, fmt.Errorf("%s exited %d, want %d\nstdout (end):\n%s\nstderr (end):\n%s", strings.Join(argv, " "), code, wantExit, tail(stdout.String()), tail(stderr.String()))
	}
	return m, nil
}

func tvSeconds(tv syscall.Timeval) float64 { return float64(tv.Sec) + float64(tv.Usec)/1e6 }

func tail(s string) string {
	if len(s) > 3000 {
		return s[len(s)-3000:]
	}
	return s
}

// samplePeak sums the resident memory of a process and its descendants
// every 20 ms until stop, and returns the highest sum seen.
func samplePeak(root int, stop <-chan struct{}) int64 {
	var peak int64
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	pageSize := int64(os.Getpagesize())
	for {
		if sum := treeRSS(root, pageSize); sum > peak {
			peak = sum
		}
		select {
		case <-stop:
			return peak
		case <-tick.C:
		}
	}
}

// procStats is every process's /proc/PID/stat fields after the command
// name (which, in parentheses, may hold spaces: fields start after the last
// ")"), so that fields[0] is the state and fields[1] the parent's pid.
func procStats() map[int][]string {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	out := map[int][]string{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		if fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:])); len(fields) > 1 {
			out[pid] = fields
		}
	}
	return out
}

// descends says whether pid is root or one of its descendants.
func descends(pid, root int, stats map[int][]string) bool {
	for i := 0; pid > 1 && i < 64; i++ {
		if pid == root {
			return true
		}
		f := stats[pid]
		if f == nil {
			return false
		}
		pid, _ = strconv.Atoi(f[1])
	}
	return false
}

// treeRSS is the resident memory of root and all its descendants, from
// /proc.
func treeRSS(root int, pageSize int64) int64 {
	stats := procStats()
	var sum int64
	for pid := range stats {
		if !descends(pid, root, stats) {
			continue
		}
		statm, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
		if err != nil {
			continue
		}
		f := strings.Fields(string(statm))
		if len(f) > 1 {
			pages, _ := strconv.ParseInt(f[1], 10, 64)
			sum += pages * pageSize
		}
	}
	return sum
}
