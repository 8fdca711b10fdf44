package local

import "fmt"

// The error codes the simulation returns. All but CodeReplacementRequired are
// the codes IAM itself returns for the same mistake, so that code which
// classifies errors (retries, messages) treats both targets alike.
const (
	CodeValidationError         = "ValidationError"
	CodeInvalidInput            = "InvalidInput"
	CodeEntityAlreadyExists     = "EntityAlreadyExists"
	CodeNoSuchEntity            = "NoSuchEntity"
	CodeDeleteConflict          = "DeleteConflict"
	CodeLimitExceeded           = "LimitExceeded"
	CodeMalformedPolicyDocument = "MalformedPolicyDocument"
	// CodeReplacementRequired is not an IAM code: IAM has no API that changes
	// a role's or policy's path, or a policy's description, so such a change
	// can only be made by deleting and re-creating the object. The engine must
	// plan it that way; the simulation refuses rather than pretend.
	CodeReplacementRequired = "ReplacementRequired"
)

// APIError is an IAM error as the simulation reports it. Its methods match
// smithy-go's APIError (ErrorCode, ErrorMessage), so one errors.As on an
// interface with those methods classifies errors from either target.
type APIError struct {
	Op      string // the IAM operation that failed, e.g. "CreateRole"
	Code    string // e.g. "NoSuchEntity"
	Message string
}

// ErrorCode returns the IAM error code.
func (e *APIError) ErrorCode() string { return e.Code }

// ErrorMessage returns the message without the operation and code.
func (e *APIError) ErrorMessage() string { return e.Message }

func (e *APIError) Error() string {
	if e.Op == "" {
		return e.Code + ": " + e.Message
	}
	return "local IAM " + e.Op + ": " + e.Code + ": " + e.Message
}

func apiErr(op, code, format string, args ...any) *APIError {
	return &APIError{Op: op, Code: code, Message: fmt.Sprintf(format, args...)}
}
