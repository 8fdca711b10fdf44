package model

import "strings"

// ARNKey returns the key of the role, user, group or customer-managed policy
// an IAM ARN names (an assumed-role session names its role).
func ARNKey(arn string) (Key, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[4] == "" || parts[4] == "aws" {
		return Key{}, false
	}
	acct, res := parts[4], parts[5]
	typ, rest, ok := strings.Cut(res, "/")
	if !ok {
		return Key{}, false
	}
	segs := strings.Split(rest, "/")
	name := segs[len(segs)-1]
	switch {
	case parts[2] == "iam" && typ == "role":
		return PrincipalKey(acct, KindRole, name), true
	case parts[2] == "iam" && typ == "user":
		return PrincipalKey(acct, KindUser, name), true
	case parts[2] == "iam" && typ == "group":
		return PrincipalKey(acct, KindGroup, name), true
	case parts[2] == "iam" && typ == "policy":
		return PolicyKey(acct, name), true
	case parts[2] == "sts" && typ == "assumed-role" && len(segs) >= 1:
		return PrincipalKey(acct, KindRole, segs[0]), true
	}
	return Key{}, false
}
