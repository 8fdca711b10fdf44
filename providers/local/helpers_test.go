package local

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
)

const (
	devID  = "111111111111"
	prodID = "999999999999"
)

var (
	dev  = &model.AccountConfig{Address: "account.development", Name: "development", ID: devID}
	prod = &model.AccountConfig{Address: "account.production", Name: "production", ID: prodID}
)

// openTemp opens a provider on a fresh state directory and closes it when
// the test ends.
func openTemp(t *testing.T) *Provider {
	t.Helper()
	p, err := Open(Options{Dir: filepath.Join(t.TempDir(), ".trustform")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func mkChange(action model.Action, kind model.Kind, acct *model.AccountConfig, before, after model.Object) *model.Change {
	return &model.Change{
		Action:  action,
		Kind:    kind,
		Account: model.AccountRef{Name: acct.Name, ID: acct.ID},
		Key:     model.Key{Account: acct.ID, Kind: kind, ID: fmt.Sprintf("%T", after)},
		Before:  before,
		After:   after,
	}
}

// change is an Apply call: an account and a change in it.
type change struct {
	acct *model.AccountConfig
	ch   *model.Change
}

func create(acct *model.AccountConfig, kind model.Kind, o model.Object) change {
	return change{acct, mkChange(model.Create, kind, acct, nil, o)}
}

func update(acct *model.AccountConfig, kind model.Kind, before, after model.Object) change {
	return change{acct, mkChange(model.Update, kind, acct, before, after)}
}

func remove(acct *model.AccountConfig, kind model.Kind, o model.Object) change {
	return change{acct, mkChange(model.Delete, kind, acct, o, nil)}
}

func apply(p *Provider, c change) error {
	return p.Apply(context.Background(), c.acct, c.ch)
}

func mustApply(t *testing.T, p *Provider, cs ...change) {
	t.Helper()
	for _, c := range cs {
		if err := apply(p, c); err != nil {
			t.Fatalf("%s %s: %v", c.ch.Action, c.ch.Kind, err)
		}
	}
}

func read(t *testing.T, p *Provider, acct *model.AccountConfig) *model.Account {
	t.Helper()
	a, err := p.Read(context.Background(), acct)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// codeOf returns the IAM code of an error, matching it the way callers of
// the aws target match smithy errors.
func codeOf(err error) string {
	var coded interface {
		ErrorCode() string
		ErrorMessage() string
	}
	if errors.As(err, &coded) {
		return coded.ErrorCode()
	}
	return ""
}

// allow is an identity policy allowing actions on resources.
func allow(action string, resources ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":["` +
		strings.Join(resources, `","`) + `"]}]}`
}

// trust is a trust policy letting the given AWS principals assume the role.
func trust(principals ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["` +
		strings.Join(principals, `","`) + `"]},"Action":"sts:AssumeRole"}]}`
}

// bigPolicy is an identity policy of about n characters without whitespace.
func bigPolicy(n int) string {
	base := allow("s3:GetObject", "arn:aws:s3:::")
	pad := n - len(base)
	if pad < 0 {
		pad = 0
	}
	return allow("s3:GetObject", "arn:aws:s3:::"+strings.Repeat("b", pad))
}

func role(name string, trustDoc string) *model.Role {
	return &model.Role{Name: name, TrustPolicy: trustDoc, MaxSessionDuration: 3600}
}

func inline(kind model.Kind, principal, name, doc string) *model.InlinePolicy {
	return &model.InlinePolicy{PrincipalKind: kind, PrincipalName: principal, Name: name, Document: doc}
}

func attachment(kind model.Kind, principal, arn string) *model.Attachment {
	return &model.Attachment{PrincipalKind: kind, PrincipalName: principal, PolicyARN: arn}
}

const (
	adminARN    = "arn:aws:iam::aws:policy/AdministratorAccess"
	powerARN    = "arn:aws:iam::aws:policy/PowerUserAccess"
	readOnlyARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	devRoot     = "arn:aws:iam::111111111111:root"
)
