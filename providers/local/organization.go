package local

import (
	"context"
	"errors"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/model"
)

// The Organizations error codes the simulation returns, as AWS
// Organizations names them.
const (
	CodeAccessDenied     = "AccessDeniedException"
	CodeOrganizationsOff = "AWSOrganizationsNotInUseException"
)

var _ engine.OrganizationReader = (*Provider)(nil)

// ReadOrganization reads the organisation the seed (or state file)
// describes, as AWS Organizations answers its management account or a
// delegated administrator: where each of the accounts sits and the SCPs and
// RCPs attached along its path. Any other caller is refused as AWS refuses
// it (AccessDeniedException: the listing calls "can only be called from
// the management account or a member account that is a delegated
// administrator"), and an account outside every organisation gets
// AWSOrganizationsNotInUseException.
func (p *Provider) ReadOrganization(ctx context.Context, via *model.AccountConfig, accounts []string) (*model.Organization, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	spec, built := p.sim.org, p.sim.orgBuilt
	switch {
	case spec == nil:
		return nil, apiErr("DescribeOrganization", CodeOrganizationsOff,
			"account %s is not a member of an organization (the local seed describes none: add an \"organization\" to %s)", via.ID, SeedFile)
	case spec.Accounts[via.ID] == nil:
		return nil, apiErr("DescribeOrganization", CodeOrganizationsOff,
			"account %s is not a member of organization %s", via.ID, spec.ID)
	case !spec.Administers(via.ID):
		return nil, apiErr("ListRoots", CodeAccessDenied,
			"account %s is neither the management account of organization %s (%s) nor a delegated administrator for AWS Organizations", via.ID, spec.ID, spec.ManagementAccount)
	}
	out := &model.Organization{ID: built.ID, ManagementAccount: built.ManagementAccount, SCPs: built.SCPs, RCPs: built.RCPs,
		Paths: map[string][]*model.OrgLevel{}}
	for _, id := range accounts {
		if path, ok := built.Paths[id]; ok {
			out.Paths[id] = path
		}
	}
	return out.Clone(), nil
}

// SetOrganization replaces the organisation the simulation describes (nil
// for none) and writes the state, as a change made in AWS Organizations
// outside the stack would: for tests that change an SCP out of band. The
// engine never calls it.
func (p *Provider) SetOrganization(spec *model.OrganizationSpec) error {
	if p.readOnly {
		return errors.New("local target: opened read-only; cannot change the organisation")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.flushing {
		p.written.Wait() // one writer of state.json at a time
	}
	next := p.sim.clone()
	if err := next.setOrganization(spec); err != nil {
		return err
	}
	if err := p.save(next); err != nil {
		return err
	}
	// Every change applied so far is in the file now too.
	p.sim, p.durable, p.durableGen = next, next, p.gen
	return nil
}
