package aws

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

// Tests that need no server: document decoding, tag and version
// arithmetic, the eventual-consistency retry, and Read's use of pages,
// against a fake IAM.

func TestDecodeDocument(t *testing.T) {
	const plain = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::a+b c"}]}`
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{"plain JSON is kept as is", plain, plain, false},
		{"plain JSON with leading space", "  " + plain, "  " + plain, false},
		{"URL-encoded, plus encoded as %2B", "%7B%22Resource%22%3A%22a%2Bb%20c%22%7D", `{"Resource":"a+b c"}`, false},
		{"URL-encoded, lower-case escapes", "%7b%22a%22%3a1%7d", `{"a":1}`, false},
		{"a bare + stays a plus sign", "%7B%22Resource%22%3A%22a+b%22%7D", `{"Resource":"a+b"}`, false},
		{"empty", "", "", false},
		{"broken escape", "%7B%2", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeDocument(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTagChanges(t *testing.T) {
	tests := []struct {
		name          string
		before, after map[string]string
		untag         []string
		tag           []string // key=value
	}{
		{"nothing", nil, nil, nil, nil},
		{"add", nil, map[string]string{"a": "1"}, nil, []string{"a=1"}},
		{"remove", map[string]string{"a": "1"}, nil, []string{"a"}, nil},
		{"change value", map[string]string{"a": "1"}, map[string]string{"a": "2"}, nil, []string{"a=2"}},
		{"unchanged kept out", map[string]string{"a": "1", "b": "2"}, map[string]string{"a": "1", "c": "3"}, []string{"b"}, []string{"c=3"}},
		{"case of a key changes", map[string]string{"Team": "x"}, map[string]string{"team": "x"}, []string{"Team"}, []string{"team=x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			untag, tag := tagChanges(tt.before, tt.after)
			var tags []string
			for _, x := range tag {
				tags = append(tags, *x.Key+"="+*x.Value)
			}
			if !slices.Equal(untag, tt.untag) || !slices.Equal(tags, tt.tag) {
				t.Errorf("got untag %v tag %v, want untag %v tag %v", untag, tags, tt.untag, tt.tag)
			}
		})
	}
}

func TestOldestNonDefault(t *testing.T) {
	at := func(min int) *time.Time { v := time.Date(2024, 1, 1, 0, min, 0, 0, time.UTC); return &v }
	v := func(id string, created *time.Time, def bool) types.PolicyVersion {
		return types.PolicyVersion{VersionId: sdkaws.String(id), CreateDate: created, IsDefaultVersion: def}
	}
	tests := []struct {
		name     string
		versions []types.PolicyVersion
		want     string
	}{
		{"oldest by date", []types.PolicyVersion{v("v3", at(3), false), v("v2", at(2), false), v("v4", at(4), true)}, "v2"},
		{"default is never chosen", []types.PolicyVersion{v("v1", at(1), true), v("v2", at(2), false)}, "v2"},
		{"same date: lowest number, v10 after v9", []types.PolicyVersion{v("v10", at(1), false), v("v9", at(1), false), v("v11", at(1), true)}, "v9"},
		{"only the default", []types.PolicyVersion{v("v1", at(1), true)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := oldestNonDefault(tt.versions); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func apiError(code, msg string) error {
	return &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient}
}

func TestEventually(t *testing.T) {
	noSuch := apiError("NoSuchEntity", "The role with name UpdateApp cannot be found.")
	invalid := apiError("MalformedPolicyDocument", "Invalid principal in policy: \"AWS\":\"arn:aws:iam::111111111111:role/Source\"")
	otherMalformed := apiError("MalformedPolicyDocument", "Syntax errors in policy.")
	tests := []struct {
		name      string
		created   []string // what the provider created before the call
		needs     []string
		errs      []error // the call's answers, in order; nil after the list
		wantCalls int
		wantErr   string // error code, "" for success
		wantWait  bool
	}{
		{"success at once", nil, nil, nil, 1, "", false},
		{"NoSuchEntity on something created here is retried", []string{"1/role/x"}, []string{"1/role/X"}, []error{noSuch, noSuch}, 3, "", true},
		{"invalid principal created here is retried", []string{"arn:aws:iam::111111111111:role/Source"}, []string{"arn:aws:iam::111111111111:role/Source"}, []error{invalid}, 2, "", true},
		{"NoSuchEntity on something not created here fails at once", []string{"1/role/other"}, []string{"1/role/x"}, []error{noSuch}, 1, "NoSuchEntity", false},
		{"other errors fail at once", []string{"1/role/x"}, []string{"1/role/x"}, []error{otherMalformed}, 1, "MalformedPolicyDocument", false},
		{"gives up after the bound", []string{"1/role/x"}, []string{"1/role/x"}, slices.Repeat([]error{noSuch}, 1000), -1, "NoSuchEntity", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The bound is generous where the retries must succeed, so that
			// a machine busy with other work (the race detector, a full
			// test run) cannot run the clock out between two quick calls;
			// only the case about the bound itself runs against a short one.
			bound := 10 * time.Second
			if tt.wantCalls < 0 {
				bound = 50 * time.Millisecond
			}
			p, err := New(context.Background(), Options{RetryTimeout: bound})
			if err != nil {
				t.Fatal(err)
			}
			p.backoffBase, p.backoffCap = time.Millisecond, 4*time.Millisecond
			p.recent.add(tt.created...)
			calls := 0
			waited, err := p.eventually(context.Background(), "iam:Test", tt.needs, func(context.Context) error {
				calls++
				if calls <= len(tt.errs) {
					return tt.errs[calls-1]
				}
				return nil
			})
			if got := errorCode(err); got != tt.wantErr || (err != nil) != (tt.wantErr != "") {
				t.Fatalf("err = %v, want code %q", err, tt.wantErr)
			}
			if tt.wantCalls >= 0 && calls != tt.wantCalls {
				t.Errorf("calls = %d, want %d", calls, tt.wantCalls)
			}
			if tt.wantCalls < 0 && (calls < 3 || waited < 50*time.Millisecond) {
				t.Errorf("calls = %d, waited %v: want several calls over the whole bound", calls, waited)
			}
			if (waited > 0) != tt.wantWait {
				t.Errorf("waited = %v, want waiting %v", waited, tt.wantWait)
			}
		})
	}
}

func TestEventuallyStopsWhenCanceled(t *testing.T) {
	p, err := New(context.Background(), Options{RetryTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	p.recent.add("1/role/x")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = p.eventually(ctx, "iam:Test", []string{"1/role/x"}, func(context.Context) error { return apiError("NoSuchEntity", "") })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's", err)
	}
}

func TestErrorWrapsAPIError(t *testing.T) {
	err := error(&Error{Op: "iam:CreateRole", Subject: `role "UpdateApp" in account 999999999999`, Err: fmt.Errorf("operation error IAM: CreateRole: %w", apiError("EntityAlreadyExists", "Role with name UpdateApp already exists."))})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "EntityAlreadyExists" {
		t.Fatalf("errors.As found %v", api)
	}
	const want = `aws target: iam:CreateRole role "UpdateApp" in account 999999999999: EntityAlreadyExists: Role with name UpdateApp already exists.`
	if err.Error() != want {
		t.Errorf("message\n got %s\nwant %s", err, want)
	}
	if code := errorCode(replacement("x")); code != CodeReplacementRequired {
		t.Errorf("replacement code = %q", code)
	}
}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"defaults", Options{}, ""},
		{"role name with path", Options{AssumeRoleName: "admin/OrganizationAccountAccessRole"}, ""},
		{"an ARN is not a name", Options{AssumeRoleName: "arn:aws:iam::1:role/X"}, "not an ARN"},
		{"negative timeout", Options{RetryTimeout: -time.Second}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(context.Background(), tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.opts.SessionName != "trustform" || p.opts.RetryTimeout != DefaultRetryTimeout {
				t.Errorf("defaults not applied: %+v", p.opts)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"nothing set", nil, "aws"},
		{"AWS_ENDPOINT_URL", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:1234"}, "aws (IAM endpoint http://127.0.0.1:1234 from AWS_ENDPOINT_URL)"},
		{"IAM's own wins", map[string]string{"AWS_ENDPOINT_URL": "http://a", "AWS_ENDPOINT_URL_IAM": "http://b"}, "aws (IAM endpoint http://b from AWS_ENDPOINT_URL_IAM)"},
		{"STS apart", map[string]string{"AWS_ENDPOINT_URL_STS": "http://s"}, "aws (STS endpoint http://s from AWS_ENDPOINT_URL_STS)"},
		{"ignored", map[string]string{"AWS_ENDPOINT_URL": "http://a", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, "aws"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"} {
				t.Setenv(k, tt.env[k])
			}
			p, err := New(context.Background(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Describe(); got != tt.want {
				t.Errorf("Describe() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDefaultRegion(t *testing.T) {
	for partition, want := range map[string]string{"": "us-east-1", "aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"} {
		t.Run("partition "+partition, func(t *testing.T) {
			if got := defaultRegion(partition); got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

// fakeIAM serves GetAccountAuthorizationDetails in pages, and the calls Read
// makes for what those pages lack, counting every call.
type fakeIAM struct {
	pages []*iam.GetAccountAuthorizationDetailsOutput
	roles []types.Role // for ListRoles and GetRole
	calls map[string]int
	seen  []string // markers received, in order
}

func (f *fakeIAM) count(op string) {
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
}

func (f *fakeIAM) GetAccountAuthorizationDetails(_ context.Context, in *iam.GetAccountAuthorizationDetailsInput, _ ...func(*iam.Options)) (*iam.GetAccountAuthorizationDetailsOutput, error) {
	f.count("GetAccountAuthorizationDetails")
	f.seen = append(f.seen, sdkaws.ToString(in.Marker))
	i := 0
	if in.Marker != nil {
		fmt.Sscanf(*in.Marker, "page%d", &i)
	}
	return f.pages[i], nil
}

func (f *fakeIAM) ListRoles(_ context.Context, in *iam.ListRolesInput, _ ...func(*iam.Options)) (*iam.ListRolesOutput, error) {
	f.count("ListRoles")
	return &iam.ListRolesOutput{Roles: f.roles}, nil
}

func (f *fakeIAM) GetRole(_ context.Context, in *iam.GetRoleInput, _ ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	f.count("GetRole")
	for _, r := range f.roles {
		if *r.RoleName == *in.RoleName {
			return &iam.GetRoleOutput{Role: &r}, nil
		}
	}
	return nil, apiError("NoSuchEntity", "no role "+*in.RoleName)
}

func (f *fakeIAM) GetPolicyVersion(_ context.Context, in *iam.GetPolicyVersionInput, _ ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error) {
	f.count("GetPolicyVersion")
	return &iam.GetPolicyVersionOutput{PolicyVersion: &types.PolicyVersion{Document: sdkaws.String(`{"Version":"2012-10-17","Statement":[]}`)}}, nil
}

func TestReadAccountFollowsPagesAndCompletes(t *testing.T) {
	const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`
	owned := []types.Tag{{Key: sdkaws.String(ownership.OwnerTagKey), Value: sdkaws.String("devprod")}}
	role := func(name string, tags []types.Tag) types.RoleDetail {
		return types.RoleDetail{RoleName: sdkaws.String(name), Path: sdkaws.String("/"), AssumeRolePolicyDocument: sdkaws.String(trust), Tags: tags}
	}
	full := func(name string) types.Role {
		return types.Role{RoleName: sdkaws.String(name), Description: sdkaws.String(name + " role"), MaxSessionDuration: sdkaws.Int32(7200)}
	}
	pages := func(roles ...types.RoleDetail) []*iam.GetAccountAuthorizationDetailsOutput {
		// One role per page, and the policies and principals on the last,
		// as AWS may cut pages anywhere.
		var out []*iam.GetAccountAuthorizationDetailsOutput
		for i, r := range roles {
			out = append(out, &iam.GetAccountAuthorizationDetailsOutput{RoleDetailList: []types.RoleDetail{r}, IsTruncated: true, Marker: sdkaws.String(fmt.Sprintf("page%d", i+1))})
		}
		out = append(out, &iam.GetAccountAuthorizationDetailsOutput{
			Policies: []types.ManagedPolicyDetail{
				{PolicyName: sdkaws.String("mine"), Arn: sdkaws.String("arn:aws:iam::1:policy/mine"), Description: sdkaws.String("[trustform:devprod]"), DefaultVersionId: sdkaws.String("v2"),
					PolicyVersionList: []types.PolicyVersion{{VersionId: sdkaws.String("v1"), Document: sdkaws.String("%7B%22v%22%3A1%7D")}, {VersionId: sdkaws.String("v2"), IsDefaultVersion: true, Document: sdkaws.String("%7B%22v%22%3A2%7D")}}},
				{PolicyName: sdkaws.String("theirs"), Arn: sdkaws.String("arn:aws:iam::1:policy/theirs"), Description: sdkaws.String("someone's"), DefaultVersionId: sdkaws.String("v1"),
					PolicyVersionList: []types.PolicyVersion{{VersionId: sdkaws.String("v1"), IsDefaultVersion: true, Document: sdkaws.String(`{"v":1}`)}}},
			},
			GroupDetailList: []types.GroupDetail{{GroupName: sdkaws.String("Devs"), AttachedManagedPolicies: []types.AttachedPolicy{{PolicyArn: sdkaws.String("b")}, {PolicyArn: sdkaws.String("a")}}}},
			UserDetailList:  []types.UserDetail{{UserName: sdkaws.String("David"), Path: sdkaws.String("/people/"), GroupList: []string{"Testers", "Devs"}}},
		})
		return out
	}
	tests := []struct {
		name      string
		roles     []types.RoleDetail
		wantCalls map[string]int
	}{
		{"no tagged role: GAAD pages only", []types.RoleDetail{role("A", nil), role("B", nil)},
			map[string]int{"GetAccountAuthorizationDetails": 3}},
		{"one tagged role: one GetRole", []types.RoleDetail{role("A", owned), role("B", nil)},
			map[string]int{"GetAccountAuthorizationDetails": 3, "GetRole": 1}},
		{"two tagged roles: one ListRoles page", []types.RoleDetail{role("A", owned), role("B", owned)},
			map[string]int{"GetAccountAuthorizationDetails": 3, "ListRoles": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeIAM{pages: pages(tt.roles...), roles: []types.Role{full("A"), full("B")}}
			a, err := readAccount(context.Background(), f, &model.AccountConfig{ID: "1"})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.calls, tt.wantCalls) {
				t.Errorf("calls = %v, want %v", f.calls, tt.wantCalls)
			}
			if want := []string{"", "page1", "page2"}; !slices.Equal(f.seen, want) {
				t.Errorf("markers sent = %q, want %q", f.seen, want)
			}
			if len(a.Roles) != 2 || a.Groups["devs"] == nil || a.Users["david"] == nil {
				t.Fatalf("not every page was read: %+v", a)
			}
			for _, r := range a.Roles {
				_, tagged := r.Tags[ownership.OwnerTagKey]
				if tagged && (r.Description != r.Name+" role" || r.MaxSessionDuration != 7200) {
					t.Errorf("tagged role %s not completed: %+v", r.Name, r)
				}
			}
			if got := a.Policies["mine"]; got.Document != `{"v":2}` || got.Description != "[trustform:devprod]" {
				t.Errorf("policy = %+v, want the default version decoded", got)
			}
			if got := a.Policies["theirs"]; got.Document != `{"v":1}` {
				t.Errorf("policy = %+v, want plain JSON kept", got)
			}
			if got := a.Groups["devs"].AttachedPolicies; !slices.Equal(got, []string{"a", "b"}) {
				t.Errorf("group attachments = %v, want sorted", got)
			}
			if got := a.Users["david"]; got.Path != "/people/" || !slices.Equal(got.Groups, []string{"Devs", "Testers"}) {
				t.Errorf("user = %+v, want groups sorted", got)
			}
		})
	}
}

// A retry's reason names an API error by code and message, and a transport
// error by its cause and endpoint without the local port, so that the same
// failure of many calls reads the same (the progress view groups them).
func TestRetryReason(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: the dial is refused
	_, dialErr := http.Get("http://" + addr + "/")
	if dialErr == nil {
		t.Fatal("a request to a closed port succeeded")
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"API error", &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}, "Throttling: Rate exceeded"},
		{"transport error, wrapped as the SDK wraps it", fmt.Errorf("operation error IAM: CreateRole: %w", dialErr), "connection refused (Get " + addr + ")"},
		{"anything else", errors.New("context deadline exceeded"), "context deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryReason(tt.err); got != tt.want {
				t.Errorf("retryReason = %q, want %q", got, tt.want)
			}
		})
	}
}
