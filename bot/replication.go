package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"dinsosbot/flows"
	"dinsosbot/store"
	"dinsosbot/store/replica"
)

// Replica is the database's replica as the runtime needs it
// (*replica.Replicator implements it); nil in Config is replication off.
type Replica interface {
	// Confirm returns once the batch just committed may be confirmed to
	// Telegram (replication.confirm: on the replica, or within max_lag).
	Confirm(ctx context.Context) error
	// PutMedia copies a photo just saved (its path relative to the media
	// folder) to the replica.
	PutMedia(ctx context.Context, rel string) error
	// Status is the replication's state, for /healthz, metrics and alerts.
	Status() replica.Status
}

// ReplicationHealth is the replication's part of /healthz.
type ReplicationHealth struct {
	LagSeconds    float64   `json:"lag_seconds"`
	MaxLagSeconds float64   `json:"max_lag_seconds"`
	LastSync      time.Time `json:"last_sync,omitzero"`
	LocalTXID     uint64    `json:"local_txid"`
	RemoteTXID    uint64    `json:"remote_txid"`
	Error         string    `json:"error,omitempty"`
	Errors        int64     `json:"errors"`
}

// replicationHealth adds the replica's state to h: degraded when it is
// further behind than max_lag.
func (b *Bot) replicationHealth(h *Health) {
	if b.cfg.Replica == nil {
		return
	}
	st := b.cfg.Replica.Status()
	h.Replication = &ReplicationHealth{LagSeconds: st.Lag.Seconds(), MaxLagSeconds: st.MaxLag.Seconds(),
		LastSync: st.LastSync, LocalTXID: st.LocalTXID, RemoteTXID: st.RemoteTXID, Error: st.Err, Errors: st.Errors}
	if st.Lag > st.MaxLag {
		h.OK = false
		reason := ""
		if st.Err != "" {
			reason = ": " + st.Err
		}
		h.Problems = append(h.Problems, fmt.Sprintf("the replica is %s behind (limit %s); updates are not confirmed to Telegram%s",
			st.Lag.Round(time.Second), st.MaxLag, reason))
	}
}

// registerReplication adds the replication's metrics to reg.
func registerReplication(reg prometheus.Registerer, r Replica) error {
	for _, c := range []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "dinsosbot_replication_lag_seconds",
			Help: "How far the database's replica may be behind: seconds since the start of the last sync that reached it.",
		}, func() float64 { return r.Status().Lag.Seconds() }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "dinsosbot_replication_errors_total",
			Help: "Failed syncs of the database to its replica and failed media transfers, since start.",
		}, func() float64 { return float64(r.Status().Errors) }),
	} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// confirmTimeout bounds one wait for the replica before the poller asks
// Telegram again without confirming (a replica that is down must not stop
// the bot from answering).
func (b *Bot) confirmTimeout() time.Duration {
	return max(b.cfg.Replica.Status().MaxLag, time.Second)
}

// replicationAlerter is implemented by handlers that tell the admins about
// the replica (*flows.App does).
type replicationAlerter interface {
	AlertReplication(tx *store.Tx, al flows.ReplicationAlert) ([]int64, error)
}

// watchReplication tells the admins when the replica falls behind max_lag
// (again every Watch.AlertEvery while it stays behind) and when it
// recovers, until ctx is cancelled.
func (b *Bot) watchReplication(ctx context.Context) {
	if b.cfg.Replica == nil {
		return
	}
	t := time.NewTicker(b.cfg.Watch.CheckEvery)
	defer t.Stop()
	var behind bool
	var told time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		st := b.cfg.Replica.Status()
		var alert *flows.ReplicationAlert
		switch {
		case st.Lag > st.MaxLag && (!behind || time.Since(told) >= b.cfg.Watch.AlertEvery):
			b.log.Error("the replica is behind: updates are not confirmed to Telegram", "lag", st.Lag.Round(time.Second),
				"max_lag", st.MaxLag, "err", st.Err)
			alert = &flows.ReplicationAlert{Behind: st.Lag, Error: st.Err}
		case st.Lag <= st.MaxLag && behind:
			b.log.Info("the replica caught up")
			alert = &flows.ReplicationAlert{Recovered: true}
		}
		if alert == nil {
			continue
		}
		if b.replAlerter != nil {
			if err := b.db.Update(ctx, func(tx *store.Tx) error {
				_, err := b.replAlerter.AlertReplication(tx, *alert)
				return err
			}); err != nil {
				if ctx.Err() == nil {
					b.log.Error("replication alert failed; will retry", "err", err)
				}
				continue
			}
		}
		behind, told = !alert.Recovered, time.Now()
	}
}
