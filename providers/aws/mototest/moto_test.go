package mototest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestStartServesOnLoopbackAndStops(t *testing.T) {
	s := Start(t)
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Fatalf("moto listens on %s, want 127.0.0.1", s.URL)
	}
	resp, err := http.Get(s.URL + "/moto-api/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s.Stop()
	if _, err := http.Get(s.URL + "/moto-api/"); err == nil {
		t.Fatal("moto still answers after stop")
	}
}

// The server holds AWS's managed policies in every account, before and
// after a reset, however the first calls to an account arrive; and when
// they arrive at once, as an apply sends them, every customer managed policy
// they create is kept. sitecustomize.py builds an account's policies on its
// first use, and two first uses at once once lost a policy now and then;
// the many fresh accounts make such a loss likely to show.
func TestManagedPoliciesInEveryAccount(t *testing.T) {
	s := Start(t)
	ctx := context.Background()
	const powerUser = "arn:aws:iam::aws:policy/PowerUserAccess"
	var accounts []string
	for i := range 12 {
		accounts = append(accounts, fmt.Sprintf("5000000000%02d", i))
	}
	for round, id := range append(accounts, "reset", accounts[0]) {
		if id == "reset" {
			s.Reset(t)
			continue
		}
		c := s.IAM(id)
		if _, err := c.ListRoles(ctx, &iam.ListRolesInput{}); err != nil { // the role assumed: no first use of the policies
			t.Fatal(err)
		}
		const n = 12
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
				if _, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("p%d", i)), PolicyDocument: &doc}); err != nil {
					t.Error(err)
				}
			}()
		}
		close(start)
		wg.Wait()
		local, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
		if err != nil {
			t.Fatal(err)
		}
		if len(local.Policies) != n {
			t.Errorf("round %d, account %s: %d customer managed policies after %d creates at once", round, id, len(local.Policies), n)
		}
		got, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(powerUser)})
		if err != nil {
			t.Fatalf("round %d, account %s: %v", round, id, err)
		}
		if aws.ToString(got.Policy.Arn) != powerUser {
			t.Errorf("GetPolicy(%s) = %s", powerUser, aws.ToString(got.Policy.Arn))
		}
		group := "g"
		if _, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: &group}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: &group, PolicyArn: aws.String(powerUser)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: &group, PolicyArn: aws.String("arn:aws:iam::aws:policy/NoSuchPolicy")}); err == nil {
			t.Error("attaching an AWS managed policy that does not exist succeeded")
		}
	}
}
