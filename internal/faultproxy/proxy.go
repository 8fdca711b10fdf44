// Package faultproxy is a loopback HTTP proxy, for tests, that sits in front
// of moto_server and makes it behave like IAM on a bad day: it answers a
// share of requests with throttling (400 Throttling "Rate exceeded") or a
// server error (500 InternalFailure), drops connections before or after
// the request reached moto (the answer is lost: the client must re-send a
// call that already happened), delays answers, and imitates IAM's
// eventual consistency — for a while after a role or user is created, a
// trust policy naming it is refused with "Invalid principal in policy", and
// calls on it fail with NoSuchEntity.
//
// It listens on 127.0.0.1 only and forwards only to the target given, which
// the tests start on 127.0.0.1 too.
package faultproxy

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is one kind of misbehaviour.
type Fault string

// The faults the proxy injects.
const (
	Throttle    Fault = "throttle"     // 400 Throttling, as IAM answers "Rate exceeded"
	ServerError Fault = "server_error" // 500 InternalFailure
	DropBefore  Fault = "drop_before"  // the connection closes before the request is forwarded
	DropAfter   Fault = "drop_after"   // the request is forwarded, then the connection closes: the answer is lost
	Delay       Fault = "delay"        // the answer comes late
)

// AllFaults is every fault kind.
var AllFaults = []Fault{Throttle, ServerError, DropBefore, DropAfter, Delay}

// Config says how badly the proxy behaves.
type Config struct {
	// Rate is the share of requests (0 to 1) that get a fault.
	Rate float64
	// Faults are the kinds chosen among, uniformly; AllFaults when empty.
	Faults []Fault
	// MaxDelay bounds the Delay fault (default 200ms).
	MaxDelay time.Duration
	// Propagation is how long after a CreateRole or CreateUser the new
	// principal stays invisible: trust policies naming it get "Invalid
	// principal in policy", calls naming it get NoSuchEntity. Zero for none.
	Propagation time.Duration
	// Seed makes the faults repeatable.
	Seed uint64
	// Actions, when set, limits the faults to requests of these API actions
	// (e.g. "CreateRole"); others pass untouched.
	Actions []string
	// RecordSecrets keeps the secret keys and session tokens that STS
	// answers carry, so that a test can check none of them is ever printed
	// (Secrets).
	RecordSecrets bool
}

// Proxy is a running fault-injection proxy.
type Proxy struct {
	URL string // e.g. http://127.0.0.1:41235

	cfg    Config
	target *url.URL
	fwd    *httputil.ReverseProxy
	srv    *http.Server

	mu       sync.Mutex
	rnd      *rand.Rand
	created  map[string]time.Time // principal name (lower case) and ARN → when it was created
	injected map[Fault]int
	lagged   int // requests refused to imitate propagation delay
	total    int
	secrets  map[string]bool
	actions  map[string]int // requests by API action, faults or not
}

// Start runs a proxy in front of target (a 127.0.0.1 URL) until the test
// ends.
func Start(t testing.TB, target string, cfg Config) *Proxy {
	t.Helper()
	p, err := Listen(target, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// Listen runs a proxy in front of target (a 127.0.0.1 URL) until Close, for
// programs that are not tests (the benchmark counts calls with it).
func Listen(target string, cfg Config) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost") {
		return nil, fmt.Errorf("faultproxy: target %q is not a loopback URL", target)
	}
	if len(cfg.Faults) == 0 {
		cfg.Faults = AllFaults
	}
	if cfg.MaxDelay == 0 {
		cfg.MaxDelay = 200 * time.Millisecond
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: %w", err)
	}
	p := &Proxy{
		URL: "http://" + ln.Addr().String(), cfg: cfg, target: u,
		rnd:     rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		created: map[string]time.Time{}, injected: map[Fault]int{}, actions: map[string]int{},
	}
	p.fwd = httputil.NewSingleHostReverseProxy(u)
	// A client killed or timing out mid-request is what these tests do on
	// purpose; the proxy's complaint about it is noise.
	p.fwd.ErrorLog = log.New(io.Discard, "", 0)
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// Close stops the proxy.
func (p *Proxy) Close() { _ = p.srv.Close() }

// Stats is what the proxy did.
type Stats struct {
	Requests int
	Injected map[Fault]int
	Lagged   int            // answered as IAM does before it has caught up with a create
	Actions  map[string]int // requests by API action (e.g. "GetAccountAuthorizationDetails")
}

// Stats returns the counts so far.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	inj := map[Fault]int{}
	for k, v := range p.injected {
		inj[k] = v
	}
	acts := map[string]int{}
	for k, v := range p.actions {
		acts[k] = v
	}
	return Stats{Requests: p.total, Injected: inj, Lagged: p.lagged, Actions: acts}
}

// ResetStats sets the counts back to zero, so that a benchmark can count
// phase by phase.
func (p *Proxy) ResetStats() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total, p.lagged = 0, 0
	p.injected, p.actions = map[Fault]int{}, map[string]int{}
}

// Total is the number of faults injected and lags imitated.
func (s Stats) Total() int {
	n := s.Lagged
	for _, v := range s.Injected {
		n += v
	}
	return n
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	form, _ := url.ParseQuery(string(body))
	action := form.Get("Action")

	p.mu.Lock()
	p.total++
	p.actions[action]++
	var fault Fault
	if p.cfg.Rate > 0 && (len(p.cfg.Actions) == 0 || slices.Contains(p.cfg.Actions, action)) && p.rnd.Float64() < p.cfg.Rate {
		fault = p.cfg.Faults[p.rnd.IntN(len(p.cfg.Faults))]
		p.injected[fault]++
	}
	delay := time.Duration(p.rnd.Int64N(int64(p.cfg.MaxDelay) + 1))
	lag := ""
	if fault == "" {
		lag = p.lagging(action, form)
		if lag != "" {
			p.lagged++
		}
	}
	p.mu.Unlock()

	switch fault {
	case Throttle:
		writeError(w, http.StatusBadRequest, "Sender", "Throttling", "Rate exceeded")
		return
	case ServerError:
		writeError(w, http.StatusInternalServerError, "Receiver", "InternalFailure", "We encountered an internal error. Please try again.")
		return
	case DropBefore:
		drop(w)
		return
	case Delay:
		time.Sleep(delay)
	}
	switch {
	case strings.HasPrefix(lag, "principal:"):
		writeError(w, http.StatusBadRequest, "Sender", "MalformedPolicyDocument", "Invalid principal in policy: \"AWS\":\""+strings.TrimPrefix(lag, "principal:")+"\"")
		return
	case strings.HasPrefix(lag, "entity:"):
		writeError(w, http.StatusNotFound, "Sender", "NoSuchEntity", "The entity "+strings.TrimPrefix(lag, "entity:")+" cannot be found.")
		return
	}

	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	if fault == DropAfter {
		// Forward, wait for moto's answer, then lose it.
		rec := &discard{header: http.Header{}}
		p.fwd.ServeHTTP(rec, r)
		p.remember(action, form, rec.status)
		drop(w)
		return
	}
	rec := &recorder{ResponseWriter: w, keep: p.cfg.RecordSecrets && strings.HasPrefix(action, "Assume")}
	p.fwd.ServeHTTP(rec, r)
	p.remember(action, form, rec.status)
	if rec.keep {
		p.mu.Lock()
		if p.secrets == nil {
			p.secrets = map[string]bool{}
		}
		for _, m := range secretRe.FindAllStringSubmatch(rec.body.String(), -1) {
			p.secrets[m[1]] = true
		}
		p.mu.Unlock()
	}
}

var secretRe = regexp.MustCompile(`<(?:SecretAccessKey|SessionToken)>([^<]+)</`)

// Secrets returns the secret access keys and session tokens STS handed out
// through the proxy (with RecordSecrets).
func (p *Proxy) Secrets() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.secrets))
	for k := range p.secrets {
		out = append(out, k)
	}
	return out
}

// lagging decides whether a request meets IAM before it has caught up with
// a principal created moments ago; it returns what to answer, or "".
// Called with p.mu held.
func (p *Proxy) lagging(action string, form url.Values) string {
	if p.cfg.Propagation <= 0 || len(p.created) == 0 {
		return ""
	}
	fresh := func(key string) bool {
		at, ok := p.created[strings.ToLower(key)]
		return ok && time.Since(at) < p.cfg.Propagation
	}
	switch action {
	case "CreateRole", "UpdateAssumeRolePolicy":
		doc := form.Get("AssumeRolePolicyDocument")
		if action == "UpdateAssumeRolePolicy" {
			doc = form.Get("PolicyDocument")
		}
		doc = strings.ToLower(doc)
		for key := range p.created {
			// A trust policy names the principal by ARN, which ends
			// ":role/<path><name>" followed by the closing quote.
			if tail, ok := strings.CutPrefix(key, "arn:tail:"); ok && strings.Contains(doc, ":"+tail+`"`) && fresh(key) {
				return "principal:" + tail
			}
		}
	}
	if strings.HasPrefix(action, "Create") || strings.HasPrefix(action, "Get") || strings.HasPrefix(action, "List") {
		return ""
	}
	for _, param := range []string{"RoleName", "UserName"} {
		if name := form.Get(param); name != "" && fresh(param+"/"+name) {
			return "entity:" + name
		}
	}
	return ""
}

// remember records a principal created by a successful request.
func (p *Proxy) remember(action string, form url.Values, status int) {
	if status/100 != 2 || p.cfg.Propagation <= 0 {
		return
	}
	var param, kind string
	switch action {
	case "CreateRole":
		param, kind = "RoleName", "role"
	case "CreateUser":
		param, kind = "UserName", "user"
	default:
		return
	}
	name := form.Get(param)
	path := form.Get("Path")
	if path == "" {
		path = "/"
	}
	// The account is not in the request; the ARN is matched by its
	// ":kind/path/name" tail, which trust policies contain.
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	p.created[strings.ToLower(param+"/"+name)] = now
	p.created[strings.ToLower(fmt.Sprintf("arn:tail:%s%s%s", kind, path, name))] = now
}

func writeError(w http.ResponseWriter, status int, typ, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>faultproxy</RequestId></ErrorResponse>`,
		typ, code, xmlEscape(msg))
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// drop closes the client's connection without an answer.
func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0) // a reset, as a load balancer dropping the connection sends
	}
	_ = conn.Close()
}

type recorder struct {
	http.ResponseWriter
	status int
	keep   bool // keep a copy of the body
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.keep {
		r.body.Write(b)
	}
	return r.ResponseWriter.Write(b)
}

type discard struct {
	header http.Header
	status int
}

func (d *discard) Header() http.Header { return d.header }
func (d *discard) WriteHeader(code int) {
	d.status = code
}
func (d *discard) Write(b []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	return len(b), nil
}
