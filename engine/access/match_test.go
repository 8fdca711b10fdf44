package access

import (
	"testing"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/policy"
)

// The evaluator matches with engine/policy's matcher and reads ARNs with the
// model's reader; these tests pin what it relies on, with the evaluator's
// own request context for policy variables.

func TestActionMatches(t *testing.T) {
	tests := []struct {
		name, pattern, action string
		want                  bool
	}{
		{"exact", "sts:AssumeRole", "sts:AssumeRole", true},
		{"case is ignored", "STS:assumerole", "sts:AssumeRole", true},
		{"everything", "*", "s3:GetObject", true},
		{"service wildcard", "s3:*", "s3:GetObject", true},
		{"other service", "s3:*", "sts:AssumeRole", false},
		{"prefix", "s3:Get*", "s3:GetObject", true},
		{"infix", "iam:*AccessKey*", "iam:CreateAccessKey", true},
		{"question mark is one character", "s3:Get?bject", "s3:GetObject", true},
		{"question mark is not zero characters", "s3:GetO?bject", "s3:GetObject", false},
		{"question mark is not two characters", "s3:G?Object", "s3:GetObject", false},
		{"no partial match", "s3:Get", "s3:GetObject", false},
		{"star in the middle backtracks", "s3:*Object*ion", "s3:PutObjectRetention", true},
		{"empty pattern", "", "s3:GetObject", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.MatchAction(tt.pattern, tt.action); got != tt.want {
				t.Errorf("MatchAction(%q, %q) = %v, want %v", tt.pattern, tt.action, got, tt.want)
			}
		})
	}
}

func TestResourceMatches(t *testing.T) {
	ctx := reqCtx{"aws:username": {"David"}, "aws:principalaccount": {"111111111111"}, "multi": {"a", "b"}}
	tests := []struct {
		name, pattern, resource string
		want, resolved          bool
	}{
		{"exact", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket", true, true},
		{"case matters", "arn:aws:s3:::Bucket", "arn:aws:s3:::bucket", false, true},
		{"star spans slashes and colons", "arn:aws:s3:::*", "arn:aws:s3:::bucket/a/b:c", true, true},
		{"star may be empty", "arn:aws:s3:::bucket*", "arn:aws:s3:::bucket", true, true},
		{"username variable", "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/David/x", true, true},
		{"variable keys ignore case", "arn:aws:s3:::home/${AWS:UserName}/*", "arn:aws:s3:::home/David/x", true, true},
		{"variable value is literal", "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/Dav?d/x", false, true},
		{"account variable", "arn:aws:iam::${aws:PrincipalAccount}:role/*", "arn:aws:iam::111111111111:role/R", true, true},
		{"absent variable does not resolve", "arn:aws:s3:::${aws:userid}/*", "arn:aws:s3:::x/y", false, false},
		{"multi-valued key does not resolve", "arn:aws:s3:::${multi}", "arn:aws:s3:::a", false, false},
		{"default value", "arn:aws:s3:::${aws:userid, 'shared'}/*", "arn:aws:s3:::shared/y", true, true},
		{"literal star", "arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*", true, true},
		{"literal star is no wildcard", "arn:aws:s3:::b/${*}", "arn:aws:s3:::b/x", false, true},
		{"literal dollar", "arn:aws:s3:::b/${$}", "arn:aws:s3:::b/$", true, true},
		{"unclosed brace is text", "arn:aws:s3:::b/${x", "arn:aws:s3:::b/${x", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, resolved := policy.MatchResource(tt.pattern, tt.resource, ctx.resolver())
			if got != tt.want || resolved != tt.resolved {
				t.Errorf("MatchResource(%q, %q) = %v, %v; want %v, %v", tt.pattern, tt.resource, got, resolved, tt.want, tt.resolved)
			}
		})
	}
}

func TestArnMatches(t *testing.T) {
	tests := []struct {
		name, pattern, value string
		want                 bool
	}{
		{"equal", "arn:aws:iam::111111111111:role/R", "arn:aws:iam::111111111111:role/R", true},
		{"wildcard account", "arn:aws:iam::*:role/R", "arn:aws:iam::111111111111:role/R", true},
		{"star stays in its component", "arn:aws:someservice:*:111122223333:finance/*",
			"arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt", false},
		{"resource part keeps its colons", "arn:aws:logs:*:*:log-group:*", "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s", true},
		{"case matters", "arn:aws:iam::*:role/r", "arn:aws:iam::1:role/R", false},
		{"bare star matches anything", "*", "arn:aws:iam::1:role/R", true},
		{"value that is not an ARN", "arn:aws:iam::*:role/*", "role/R", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := policy.CompilePattern(tt.pattern, nil)
			if got := p.MatchARN(tt.value); got != tt.want {
				t.Errorf("MatchARN(%q, %q) = %v, want %v", tt.pattern, tt.value, got, tt.want)
			}
		})
	}
}

func TestSplitPath(t *testing.T) {
	tests := []struct {
		name, resource, path, entity string
		ok                           bool
	}{
		{"root path", "user/David", "/", "David", true},
		{"nested path", "user/eng/web/David", "/eng/web/", "David", true},
		{"wrong type", "role/David", "", "", false},
		{"no name", "user/", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, name, ok := model.IAMPath(tt.resource, "user")
			if path != tt.path || name != tt.entity || ok != tt.ok {
				t.Errorf("IAMPath(%q) = %q, %q, %v; want %q, %q, %v", tt.resource, path, name, ok, tt.path, tt.entity, tt.ok)
			}
		})
	}
}
