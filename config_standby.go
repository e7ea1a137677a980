package main

import (
	"fmt"
	"net/url"
	"path/filepath"
	"time"
)

// StandbyConfig is the fence between a primary and its standby, and the
// standby's warm copy (issue 16; README "Deploying: a standby").
type StandbyConfig struct {
	// Lease is where the lease lives: "file:///path/folder" (a disk both
	// machines mount) or "s3://bucket/prefix" (S3 storage reached with the
	// replica's endpoint, region and keys). "" = beside the replica
	// (<replication.url>/lease) when replication is on, else no fence;
	// "off" = no fence even with replication (one machine only).
	Lease string `yaml:"lease"`
	// LeaseTTL is how long a lease lasts unrenewed: a standby takes over
	// this long after the primary's last renewal at the latest.
	LeaseTTL Duration `yaml:"lease_ttl"`
	// LeaseRenew is the time between renewals; at most a third of the TTL.
	LeaseRenew Duration `yaml:"lease_renew"`
	// WarmEvery is how often the standby refreshes its copy from the
	// replica while it waits.
	WarmEvery Duration `yaml:"warm_every"`
}

func defaultStandby() StandbyConfig {
	return StandbyConfig{LeaseTTL: Duration(15 * time.Second), LeaseRenew: Duration(5 * time.Second),
		WarmEvery: Duration(10 * time.Second)}
}

func (s *StandbyConfig) validate() error {
	def := defaultStandby()
	if s.LeaseTTL == 0 {
		s.LeaseTTL = def.LeaseTTL
	}
	if s.LeaseRenew == 0 {
		s.LeaseRenew = min(def.LeaseRenew, s.LeaseTTL/3)
	}
	if s.WarmEvery == 0 {
		s.WarmEvery = def.WarmEvery
	}
	switch {
	case s.LeaseTTL < Duration(time.Second):
		return fmt.Errorf("standby.lease_ttl: %s is too short (at least 1s; 15s is usual)", time.Duration(s.LeaseTTL))
	case s.LeaseRenew <= 0 || s.LeaseRenew > s.LeaseTTL/3:
		return fmt.Errorf("standby.lease_renew: %s must be above 0 and at most a third of standby.lease_ttl (%s), so two renewals may fail before the lease is lost",
			time.Duration(s.LeaseRenew), time.Duration(s.LeaseTTL))
	case s.WarmEvery < Duration(time.Second):
		return fmt.Errorf("standby.warm_every: %s is too short (at least 1s)", time.Duration(s.WarmEvery))
	}
	if s.Lease == "" || s.Lease == "off" {
		return nil
	}
	u, err := url.Parse(s.Lease)
	if err != nil {
		return fmt.Errorf("standby.lease: %q is not a URL (file:///path or s3://bucket/prefix)", s.Lease)
	}
	switch {
	case u.Scheme == "file" && filepath.IsAbs(u.Path):
	case u.Scheme == "s3" && u.Host != "":
	default:
		return fmt.Errorf("standby.lease: %q must be file:///absolute/folder or s3://bucket/prefix", s.Lease)
	}
	return nil
}
