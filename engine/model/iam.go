package model

// Facts of IAM that more than one layer needs, kept here so that the views,
// the schema and the targets cannot disagree on them.

// A role's maximum session duration, in seconds: IAM's default for a role
// that sets none, and the range CreateRole and UpdateRole accept (IAM API
// Reference, CreateRole: MaxSessionDuration, 3600 to 43200).
const (
	DefaultMaxSessionDuration = 3600
	MinMaxSessionDuration     = 3600
	MaxMaxSessionDuration     = 43200
)

// MaxSessionOr is a role's maximum session duration, IAM's default when it
// sets none (0).
func MaxSessionOr(seconds int) int {
	if seconds == 0 {
		return DefaultMaxSessionDuration
	}
	return seconds
}

// signinHosts are the AWS consoles' sign-in hosts per partition (IAM User
// Guide, "Grant a user permissions to switch roles", and the partitions'
// console endpoints).
var signinHosts = map[string]string{
	"aws":        "signin.aws.amazon.com",
	"aws-cn":     "signin.amazonaws.cn",
	"aws-us-gov": "signin.amazonaws-us-gov.com",
}

// SigninHost is the console's sign-in host of a partition (the commercial
// one for a partition it does not know).
func SigninHost(partition string) string {
	if h, ok := signinHosts[partition]; ok {
		return h
	}
	return signinHosts["aws"]
}
