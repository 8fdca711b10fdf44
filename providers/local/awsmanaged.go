package local

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"sync"

	"github.com/trustform/trustform/engine/model"
)

// aws_managed_policies.json holds the AWS managed policies the simulation
// knows, each with the document of its default version as AWS publishes it
// (aws iam get-policy-version returns the same), and that version's id and
// date so a reader can tell how old the copy is. Refreshing one means
// replacing its document, version and date with the current ones. They are built in rather than kept
// in state.json because no account owns them and AWS changes them on its own
// schedule. The set is deliberately small: the policies trustform examples
// and users attach most (the job-function policies, AdministratorAccess,
// PowerUserAccess, ReadOnlyAccess and a few IAM/S3 ones). Attaching any other
// AWS managed ARN fails locally with NoSuchEntity although AWS would accept
// it: adding a policy here is the fix.
//
//go:embed aws_managed_policies.json
var awsManagedJSON []byte

type awsManagedFile struct {
	Policies []struct {
		Path     string          `json:"path"`
		Name     string          `json:"name"`
		Version  string          `json:"version"`
		Updated  string          `json:"updated"`
		Document json.RawMessage `json:"document"`
	} `json:"policies"`
}

// awsManaged maps path+name (e.g. "/job-function/ViewOnlyAccess") to the
// compact JSON document. It is built once, on first use.
var awsManaged = sync.OnceValue(func() map[string]string {
	var f awsManagedFile
	if err := json.Unmarshal(awsManagedJSON, &f); err != nil {
		panic("local: embedded aws_managed_policies.json: " + err.Error())
	}
	out := make(map[string]string, len(f.Policies))
	for _, p := range f.Policies {
		var buf bytes.Buffer
		if err := json.Compact(&buf, p.Document); err != nil {
			panic("local: embedded policy " + p.Name + ": " + err.Error())
		}
		out[p.Path+p.Name] = buf.String()
	}
	return out
})

// partitions are the AWS partitions whose ARNs the simulation accepts.
var partitions = map[string]bool{
	"aws": true, "aws-cn": true, "aws-us-gov": true,
	"aws-iso": true, "aws-iso-b": true, "aws-iso-e": true, "aws-iso-f": true, "aws-eusc": true,
}

// AWSManagedPolicy returns the document of an AWS managed policy given its
// ARN (arn:<partition>:iam::aws:policy/<path><name>, e.g.
// arn:aws:iam::aws:policy/PowerUserAccess or
// arn:aws:iam::aws:policy/job-function/ViewOnlyAccess). ok is false for any
// ARN that is not one of the built-in AWS managed policies.
func AWSManagedPolicy(arn string) (document string, ok bool) {
	rest, found := awsManagedSuffix(arn)
	if !found {
		return "", false
	}
	document, ok = awsManaged()[rest]
	return document, ok
}

// awsManagedSuffix returns "/<path><name>" from an AWS managed policy ARN.
// Unlike customer policies, AWS managed policy ARNs are matched exactly:
// there is no account to resolve names in, and AWS documents them in one
// spelling.
func awsManagedSuffix(arn string) (string, bool) {
	a, err := model.ParseARN(arn)
	if err != nil || !partitions[a.Partition] || a.Service != "iam" || a.Region != "" || a.Account != "aws" {
		return "", false
	}
	path, name, ok := model.IAMPath(a.Resource, "policy")
	return path + name, ok
}

// AWSManagedPolicyARNs returns the ARNs of the built-in AWS managed policies
// in the given partition, for messages and documentation.
func AWSManagedPolicyARNs(partition string) []string {
	if partition == "" {
		partition = "aws"
	}
	out := make([]string, 0, len(awsManaged()))
	for k := range awsManaged() {
		out = append(out, model.ARN{Partition: partition, Service: "iam", Account: "aws", Resource: "policy" + k}.String())
	}
	return sortedStrings(out)
}
