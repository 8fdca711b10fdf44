package mototest

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// AccountRole is the role the tests' identity assumes in each account, as
// trustform's --assume-role-name does in them.
const AccountRole = "OrganizationAccountAccessRole"

// IAM returns an SDK client acting in the account, reached by assuming
// AccountRole in it with the base test identity, on this server whatever the
// environment says: for setting accounts up, and looking at them, without
// trustform.
func (s *Server) IAM(account string) *iam.Client {
	return iam.NewFromConfig(s.config(account))
}

// Organizations returns an AWS Organizations client acting in the account,
// as IAM does: moto keeps one organisation per account that created it.
func (s *Server) Organizations(account string) *organizations.Client {
	return organizations.NewFromConfig(s.config(account))
}

func (s *Server) config(account string) aws.Config {
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
	}
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), "arn:aws:iam::"+account+":role/"+AccountRole))
	return cfg
}
