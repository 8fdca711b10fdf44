package aws

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/smithy-go"
)

// CodeReplacementRequired is the code of the error Apply returns for a change
// IAM has no API for (renaming an object, moving a role or policy to another
// path, changing a policy's description). It is not an IAM code; the local
// target returns the same one, so that code classifying errors treats both
// targets alike.
const CodeReplacementRequired = "ReplacementRequired"

// Error is a failed IAM or STS call. It names the operation and the object,
// and wraps the SDK's error, so errors.As finds the smithy.APIError (and its
// ErrorCode) behind it.
type Error struct {
	Op      string // e.g. "iam:CreateRole"
	Subject string // e.g. `role "UpdateApp" in account 999999999999`
	Err     error
	// Waited is how long the call was retried while IAM caught up with a
	// create made earlier in the run, when it was.
	Waited string
}

func (e *Error) Error() string {
	msg := "aws target: " + e.Op
	if e.Subject != "" {
		msg += " " + e.Subject
	}
	msg += ": " + errorText(e.Err)
	if e.Waited != "" {
		msg += " (still failing after retrying for " + e.Waited + ": IAM is eventually consistent, and had not caught up with an object created moments before)"
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// errorText is the short form of an SDK error: the IAM code and message when
// there is one, rather than the SDK's long "operation error IAM: ..., https
// response error StatusCode: ..." chain, which the operation name already
// says; the request id stays, since AWS support asks for it.
func errorText(err error) string {
	var process *processcreds.ProviderError
	if errors.As(err, &process) {
		return credentialProcessText(process)
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return err.Error()
	}
	text := api.ErrorCode() + ": " + api.ErrorMessage()
	var withID interface{ ServiceRequestID() string }
	if errors.As(err, &withID) && withID.ServiceRequestID() != "" {
		text += " (request id " + withID.ServiceRequestID() + ")"
	}
	return text
}

// credentialProcessText says why a profile's credential_process gave no
// credentials without the SDK's message, which quotes the process's whole
// output — secret key and session token included — when it does not parse.
// What it keeps is the innermost cause: the parser's complaint, the exit
// status, or the SDK's own sentence when there is nothing underneath.
func credentialProcessText(err *processcreds.ProviderError) string {
	cause := err.Err
	for inner := errors.Unwrap(cause); inner != nil; inner = errors.Unwrap(inner) {
		cause = inner
	}
	text := "the profile's credential_process gave no credentials: " + cause.Error()
	if cause != err.Err {
		text += "; the output is not shown, since it may hold secrets: run the process yourself to see it"
	}
	return text
}

// errorCode returns the IAM error code behind err, or "".
func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// replacementError is a change IAM cannot make in place. It has smithy's
// APIError methods so that errors.As(err, &smithy.APIError) classifies it
// like an IAM error.
type replacementError struct{ msg string }

func replacement(format string, args ...any) error {
	return &replacementError{msg: fmt.Sprintf(format, args...)}
}

func (e *replacementError) Error() string {
	return "aws target: " + CodeReplacementRequired + ": " + e.msg
}
func (e *replacementError) ErrorCode() string             { return CodeReplacementRequired }
func (e *replacementError) ErrorMessage() string          { return e.msg }
func (e *replacementError) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }
