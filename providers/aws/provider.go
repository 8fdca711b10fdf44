package aws

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/trustform/trustform/engine/model"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"

	"github.com/trustform/trustform/engine"
)

// Options configures New.
type Options struct {
	// AssumeRoleName is the stack's assume_role_name (or the CLI's
	// --assume-role-name): in every account that has neither a profile nor
	// an assume_role block, the base identity assumes
	// arn:<partition>:iam::<id>:role/<AssumeRoleName>. Empty means such
	// accounts use the base identity itself.
	AssumeRoleName string
	// APIOptions are appended to every IAM and STS client the provider
	// makes, including the STS clients that assume roles. Tests count calls
	// on the wire with them.
	APIOptions []func(*middleware.Stack) error
	// SessionName is the role session name of the roles the provider
	// assumes, unless an account's assume_role block sets its own. Default
	// "trustform"; it shows in CloudTrail.
	SessionName string
	// RetryTimeout bounds one write, all its retries included: the SDK's
	// re-sends of throttled and failed attempts, and the retries while IAM
	// catches up with an object this provider created moments before
	// (NoSuchEntity, or "Invalid principal in policy"). Default 2 minutes.
	RetryTimeout time.Duration
	// RateLimit is the most calls per second the provider makes to one
	// account, retries included (IAM throttles per account). Default
	// DefaultRateLimit; negative for no limit.
	RateLimit float64
	// Parallelism bounds the calls in flight from the provider as a whole,
	// over every account, reads and writes, retries included: the
	// per-account bounds alone let 1,000 accounts put thousands of calls on
	// one endpoint and one client at once. Terraform's flag of the same
	// name bounds its operations likewise. Default DefaultParallelism;
	// negative for no bound.
	Parallelism int
}

// DefaultParallelism is the Parallelism when Options leaves it zero.
const DefaultParallelism = 32

// DefaultRetryTimeout is the RetryTimeout when Options leaves it zero.
const DefaultRetryTimeout = 2 * time.Minute

// DefaultRateLimit is the RateLimit when Options leaves it zero: IAM does
// not publish its per-account rate, and runs at this pace see no throttling
// in practice while a 500-object apply still takes seconds.
const DefaultRateLimit = 20

// iamMaxAttempts is how often the SDK's standard retryer tries a call that
// throttles or fails with a 5xx, unless AWS_MAX_ATTEMPTS or the shared config
// says otherwise. The SDK's default of 3 gives up quickly under IAM's
// account-wide rate limits when an apply runs changes concurrently.
const iamMaxAttempts = 8

// Provider is the aws target. It is safe for concurrent use: the engine
// applies independent changes of an account at the same time.
type Provider struct {
	opts Options

	mu       sync.Mutex
	base     *sdkaws.Config      // the default configuration, loaded on first use
	sessions map[string]*session // per account, see sessionKey

	recent recentCreates // what this provider created, for eventual consistency

	// inflight holds a slot per call in flight (nil: unbounded; see
	// Options.Parallelism); baseLimit paces the base identity's own STS
	// calls, which assume the role in every account from one account.
	inflight  chan struct{}
	baseLimit func(*middleware.Stack) error

	// Backoff of the eventual-consistency retry; tests shorten it.
	backoffBase, backoffCap time.Duration
}

var _ engine.Provider = (*Provider)(nil)

// session is one account's clients. Their credentials come from a cache
// shared by both, so a role is assumed once per account and renewed only
// when it is about to expire.
type session struct {
	iam  *iam.Client
	sts  *sts.Client
	orgs *organizations.Client // read-only: only the organization block's account uses it
	// assumed is set when the account is reached by assuming a role in it
	// (assume_role_name, or an assume_role block), whose answer names the
	// account: see identity.
	assumed *assumedRole
	creds   sdkaws.CredentialsProvider

	mu    sync.Mutex
	ident *engine.Identity // from the first GetCallerIdentity
}

// New returns the aws target. It makes no call and reads no configuration:
// the default configuration (environment, shared config and credentials
// files, SSO, web identity, instance roles) is loaded on first use, so a
// command that never reaches AWS never needs credentials.
func New(ctx context.Context, opts Options) (*Provider, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.SessionName == "" {
		opts.SessionName = "trustform"
	}
	if opts.RetryTimeout < 0 {
		return nil, errors.New("aws target: RetryTimeout must not be negative")
	}
	if opts.RetryTimeout == 0 {
		opts.RetryTimeout = DefaultRetryTimeout
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = DefaultRateLimit
	}
	if strings.ContainsAny(opts.AssumeRoleName, ":") {
		return nil, fmt.Errorf("aws target: assume role name %q must be a role name (with an optional path), not an ARN: the ARN is built for each account", opts.AssumeRoleName)
	}
	if opts.Parallelism == 0 {
		opts.Parallelism = DefaultParallelism
	}
	p := &Provider{
		opts:        opts,
		sessions:    map[string]*session{},
		backoffBase: 500 * time.Millisecond,
		backoffCap:  10 * time.Second,
		baseLimit:   func(*middleware.Stack) error { return nil },
	}
	if opts.Parallelism > 0 {
		p.inflight = make(chan struct{}, opts.Parallelism)
	}
	if opts.RateLimit > 0 {
		// The base identity's account receives every AssumeRole: it is one
		// account to STS, and gets one account's pace.
		p.baseLimit = rateLimiter(rate.NewLimiter(rate.Limit(opts.RateLimit), max(1, int(opts.RateLimit))))
	}
	return p, nil
}

// Describe names the target for plan headers, with the IAM endpoint when the
// SDK's standard settings point it somewhere other than AWS, so that a plan
// computed against a test server never passes for one computed against AWS.
func (p *Provider) Describe() string {
	if strings.EqualFold(os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		return "aws"
	}
	var parts []string
	iamURL, iamFrom := os.Getenv("AWS_ENDPOINT_URL_IAM"), "AWS_ENDPOINT_URL_IAM"
	if iamURL == "" {
		iamURL, iamFrom = os.Getenv("AWS_ENDPOINT_URL"), "AWS_ENDPOINT_URL"
	}
	if iamURL == "" {
		p.mu.Lock()
		if p.base != nil && p.base.BaseEndpoint != nil {
			iamURL, iamFrom = *p.base.BaseEndpoint, "the shared config"
		}
		p.mu.Unlock()
	}
	if iamURL != "" {
		parts = append(parts, "IAM endpoint "+iamURL+" from "+iamFrom)
	}
	if stsURL := os.Getenv("AWS_ENDPOINT_URL_STS"); stsURL != "" && stsURL != iamURL {
		parts = append(parts, "STS endpoint "+stsURL+" from AWS_ENDPOINT_URL_STS")
	}
	if len(parts) == 0 {
		return "aws"
	}
	return "aws (" + strings.Join(parts, "; ") + ")"
}

// Identity calls sts:GetCallerIdentity with the account's credentials. The
// answer is remembered: Apply refuses to change an account whose credentials
// act in another one.
func (p *Provider) Identity(ctx context.Context, account *model.AccountConfig) (engine.Identity, error) {
	s, err := p.session(ctx, account)
	if err != nil {
		return engine.Identity{}, err
	}
	return p.identity(ctx, account, s, true)
}

func (p *Provider) identity(ctx context.Context, account *model.AccountConfig, s *session, fresh bool) (engine.Identity, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ident != nil && !fresh {
		return *s.ident, nil
	}
	if s.assumed != nil {
		// sts:AssumeRole answers with the assumed-role user, whose ARN
		// names the account the credentials act in (the SDK keeps it as
		// the credentials' AccountID): the same answer GetCallerIdentity
		// would give, from the call that had to be made anyway.
		creds, err := s.creds.Retrieve(ctx)
		if err != nil {
			return engine.Identity{}, &Error{Op: "sts:AssumeRole", Subject: "for account " + accountLabel(account), Err: err}
		}
		if creds.AccountID != "" {
			id := engine.Identity{Account: creds.AccountID, ARN: model.SessionARN(s.assumed.partition, creds.AccountID, s.assumed.role, s.assumed.session)}
			s.ident = &id
			return id, nil
		}
	}
	out, err := s.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return engine.Identity{}, &Error{Op: "sts:GetCallerIdentity", Subject: "for account " + accountLabel(account), Err: err}
	}
	id := engine.Identity{Account: sdkaws.ToString(out.Account), ARN: sdkaws.ToString(out.Arn)}
	s.ident = &id
	return id, nil
}

// checkIdentity makes sure, before the first write to an account, that its
// credentials act in that account. It costs a call only when Identity was
// not called for the account before, which the CLI always does.
func (p *Provider) checkIdentity(ctx context.Context, account *model.AccountConfig, s *session) error {
	id, err := p.identity(ctx, account, s, false)
	if err != nil {
		return err
	}
	if id.Account != account.ID {
		return fmt.Errorf("aws target: the credentials for account %s act in account %s (as %s): refusing to change anything; check the account's profile, assume_role or the assume role name",
			accountLabel(account), id.Account, id.ARN)
	}
	return nil
}

func accountLabel(a *model.AccountConfig) string {
	if a.Name == "" || a.Name == a.ID {
		return a.ID
	}
	return a.Name + " (" + a.ID + ")"
}

// baseConfig loads the default configuration once. A failure is not
// remembered, so a later call can succeed (e.g. after an SSO login).
func (p *Provider) baseConfig(ctx context.Context) (sdkaws.Config, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.base != nil {
		return p.base.Copy(), nil
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return sdkaws.Config{}, fmt.Errorf("aws target: loading the AWS configuration: %w", err)
	}
	p.base = &cfg
	return cfg.Copy(), nil
}

// sessionKey identifies how an account is reached; two account blocks with
// the same ID and the same credentials share a session.
func sessionKey(a *model.AccountConfig) string {
	k := a.ID + "|" + a.Partition + "|" + a.Profile
	if r := a.AssumeRole; r != nil {
		k += fmt.Sprintf("|%s|%s|%s|%d", r.RoleARN, r.ExternalID, r.SessionName, r.Duration)
	}
	return k
}

func (p *Provider) session(ctx context.Context, account *model.AccountConfig) (*session, error) {
	if account == nil {
		return nil, errors.New("aws target: no account given")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key := sessionKey(account)
	p.mu.Lock()
	s := p.sessions[key]
	p.mu.Unlock()
	if s != nil {
		return s, nil
	}
	cfg, assumed, err := p.accountConfig(ctx, account)
	if err != nil {
		return nil, err
	}
	limit := func(*middleware.Stack) error { return nil }
	if p.opts.RateLimit > 0 {
		// One limiter for the account's IAM and STS calls alike.
		limit = rateLimiter(rate.NewLimiter(rate.Limit(p.opts.RateLimit), max(1, int(p.opts.RateLimit))))
	}
	s = &session{
		assumed: assumed,
		creds:   cfg.Credentials,
		iam:     iam.NewFromConfig(cfg, p.iamOptions, func(o *iam.Options) { o.APIOptions = append(slices.Clip(o.APIOptions), limit) }),
		sts:     sts.NewFromConfig(cfg, p.stsOptions, func(o *sts.Options) { o.APIOptions = append(slices.Clip(o.APIOptions), limit) }),
		orgs:    organizations.NewFromConfig(cfg, p.orgsOptions, func(o *organizations.Options) { o.APIOptions = append(slices.Clip(o.APIOptions), limit) }),
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// Two goroutines may have raced to make the session; either is valid,
	// and keeping the first keeps one credentials cache per account.
	if existing := p.sessions[key]; existing != nil {
		return existing, nil
	}
	p.sessions[key] = s
	return s, nil
}

// accountConfig builds the SDK configuration of one account:
//
//   - profile set: that shared-config profile is the source of credentials
//     (it may itself assume a role, use SSO, ...);
//   - assume_role set: the role is assumed from the profile if there is one,
//     else from the base identity;
//   - neither, and an assume role name given: the base identity assumes
//     arn:<partition>:iam::<id>:role/<name>;
//   - otherwise: the base identity as it is.
func (p *Provider) accountConfig(ctx context.Context, a *model.AccountConfig) (sdkaws.Config, *assumedRole, error) {
	var (
		cfg sdkaws.Config
		err error
	)
	if a.Profile != "" {
		cfg, err = config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(a.Profile),
			config.WithAssumeRoleCredentialOptions(p.mendProfileSTS))
		if err != nil {
			return sdkaws.Config{}, nil, fmt.Errorf("aws target: account %s: loading profile %q: %w", accountLabel(a), a.Profile, err)
		}
	} else {
		cfg, err = p.baseConfig(ctx)
		if err != nil {
			return sdkaws.Config{}, nil, err
		}
	}
	if cfg.Region == "" {
		// IAM is global and STS has a global endpoint: the region only picks
		// the partition's endpoints and signs requests.
		cfg.Region = defaultRegion(a.Partition)
	}
	var assume struct {
		arn, externalID, sessionName string
		duration                     time.Duration
	}
	switch {
	case a.AssumeRole != nil:
		if a.AssumeRole.RoleARN == "" {
			return sdkaws.Config{}, nil, fmt.Errorf("aws target: account %s: assume_role has no role_arn", accountLabel(a))
		}
		assume.arn = a.AssumeRole.RoleARN
		assume.externalID = a.AssumeRole.ExternalID
		assume.sessionName = a.AssumeRole.SessionName
		assume.duration = time.Duration(a.AssumeRole.Duration) * time.Second
	case a.Profile == "" && p.opts.AssumeRoleName != "":
		assume.arn = model.RoleARN(partitionOr(a.Partition), a.ID, "/", strings.TrimPrefix(p.opts.AssumeRoleName, "/"))
	default:
		return cfg, nil, nil
	}
	if assume.sessionName == "" {
		assume.sessionName = p.opts.SessionName
	}
	// The STS client that assumes the role carries the source credentials;
	// the account's own clients get the assumed ones, cached and renewed
	// before they expire.
	source := sts.NewFromConfig(cfg, p.stsOptions, func(o *sts.Options) { o.APIOptions = append(slices.Clip(o.APIOptions), p.baseLimit) })
	provider := stscreds.NewAssumeRoleProvider(source, assume.arn, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = assume.sessionName
		if assume.externalID != "" {
			o.ExternalID = sdkaws.String(assume.externalID)
		}
		if assume.duration > 0 {
			o.Duration = assume.duration
		}
	})
	cfg.Credentials = sdkaws.NewCredentialsCache(provider)
	// Session ARNs name the role without its path.
	role, _ := model.ParsePrincipal(assume.arn)
	return cfg, &assumedRole{partition: partitionOr(a.Partition), role: role.Name, session: assume.sessionName}, nil
}

// assumedRole is how an account is reached when trustform assumes a role in
// it.
type assumedRole struct {
	partition, role, session string
}

// mendProfileSTS adjusts the STS client the SDK makes when a profile assumes
// a role (role_arn in the shared config). The SDK makes that client before it
// resolves AWS_ENDPOINT_URL (it resolves credentials first), so the role
// would be assumed at AWS's own STS even when every other call goes to the
// configured endpoint; the client gets that endpoint here, and the
// provider's APIOptions like every other client.
func (p *Provider) mendProfileSTS(o *stscreds.AssumeRoleOptions) {
	c, ok := o.Client.(*sts.Client)
	if !ok {
		return // the SDK also calls this on empty options, to validate them
	}
	opts := c.Options()
	if opts.BaseEndpoint == nil && !strings.EqualFold(os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		if u := os.Getenv("AWS_ENDPOINT_URL"); u != "" {
			opts.BaseEndpoint = sdkaws.String(u)
		}
	}
	opts.APIOptions = append(slices.Clip(opts.APIOptions), p.opts.APIOptions...)
	if opts.RetryMaxAttempts == 0 {
		opts.RetryMaxAttempts = iamMaxAttempts
	}
	o.Client = sts.New(opts)
}

func (p *Provider) iamOptions(o *iam.Options) {
	if o.RetryMaxAttempts == 0 {
		o.RetryMaxAttempts = iamMaxAttempts
	}
	// Clipped: the slice may share its array with the base configuration's,
	// which other goroutines are copying into their own clients.
	o.APIOptions = append(slices.Clip(o.APIOptions), addAttemptCounter, addRetryReporter, p.bound)
	o.APIOptions = append(o.APIOptions, p.opts.APIOptions...)
}

func (p *Provider) orgsOptions(o *organizations.Options) {
	// AWS Organizations throttles harder than IAM: the same patience.
	if o.RetryMaxAttempts == 0 {
		o.RetryMaxAttempts = iamMaxAttempts
	}
	o.APIOptions = append(slices.Clip(o.APIOptions), addRetryReporter, p.bound)
	o.APIOptions = append(o.APIOptions, p.opts.APIOptions...)
}

func (p *Provider) stsOptions(o *sts.Options) {
	// The identity check and the role assumptions meet the same throttling
	// and dropped connections as IAM calls: the same patience.
	if o.RetryMaxAttempts == 0 {
		o.RetryMaxAttempts = iamMaxAttempts
	}
	o.APIOptions = append(slices.Clip(o.APIOptions), addRetryReporter, p.bound)
	o.APIOptions = append(o.APIOptions, p.opts.APIOptions...)
}

// bound adds the provider's bound on calls in flight (Options.Parallelism)
// to a client's stack: every attempt holds a slot while it is signed and on
// the wire. The rate limiters sit right after the retryer, before it, so a
// call waits for its account's pace first and then for a slot, and never
// holds a slot while it waits to be paced.
func (p *Provider) bound(stack *middleware.Stack) error {
	if p.inflight == nil {
		return nil
	}
	slots := p.inflight
	m := middleware.FinalizeMiddlewareFunc("trustform.Parallelism",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return middleware.FinalizeOutput{}, middleware.Metadata{}, ctx.Err()
			}
			defer func() { <-slots }()
			return next.HandleFinalize(ctx, in)
		})
	// Each attempt resolves the caller's credentials (GetIdentity) inside
	// the retry loop, and for an assumed role that may be an STS call of
	// its own, which needs a slot too: holding one while waiting for it
	// deadlocks once every slot is held so. The slot is taken after the
	// credentials are resolved, just before the request is signed and sent.
	if _, ok := stack.Finalize.Get("GetIdentity"); ok {
		return stack.Finalize.Insert(m, "GetIdentity", middleware.After)
	}
	if _, ok := stack.Finalize.Get("Retry"); ok {
		return stack.Finalize.Insert(m, "Retry", middleware.After)
	}
	return stack.Finalize.Add(m, middleware.After)
}

// defaultRegion is the region used, for signing and endpoint resolution
// only, when none is configured: IAM's home region in each partition.
func defaultRegion(partition string) string {
	switch partition {
	case "aws-cn":
		return "cn-north-1"
	case "aws-us-gov":
		return "us-gov-west-1"
	}
	return "us-east-1"
}

func partitionOr(p string) string {
	if p == "" {
		return "aws"
	}
	return p
}
