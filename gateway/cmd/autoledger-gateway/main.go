// Command autoledger-gateway is the AutoLedger REST gateway. It maps each
// authenticated caller to its org's identity on the channel and fronts the
// chaincode with a typed JSON API. Usage:
//
//	autoledger-gateway -config gateway.yaml
//
// See docs/api.md for the API and the configuration.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/autoledger/autoledger/gateway/api"
	"github.com/autoledger/autoledger/gateway/auth"
	"github.com/autoledger/autoledger/gateway/config"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/purge"
	"github.com/autoledger/autoledger/gateway/serve"
	"github.com/autoledger/autoledger/gateway/store"
	"github.com/autoledger/autoledger/gateway/webhook"
	"github.com/autoledger/autoledger/network/connection"
)

func main() {
	path := flag.String("config", os.Getenv("AUTOLEDGER_GATEWAY_CONFIG"), "YAML configuration file")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log, *path); err != nil {
		log.Error("gateway stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger, path string) error {
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	file, err := connection.Load(cfg.ConnectionFile)
	if err != nil {
		return err
	}
	authn, err := auth.New(cfg.Auth)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Store), 0o700); err != nil {
		return fmt.Errorf("create store directory: %w", err)
	}
	st, err := store.Open(cfg.Store)
	if err != nil {
		return err
	}
	defer st.Close()
	pool, err := fabric.NewPool(file, cfg.Orgs, cfg.Timeouts)
	if err != nil {
		return err
	}
	defer pool.Close()
	pool.SetLog(log)
	sub := fabric.NewSubmitter(pool, st, log, cfg.MVCCRetries)
	sub.Resume()

	guard, err := webhook.NewGuard(cfg.Webhooks.Allow, nil, nil)
	if err != nil {
		return err
	}
	hub, err := webhook.New(st.DB(), log, webhook.WithGuard(guard))
	if err != nil {
		return err
	}
	srvs, err := serve.Listen(cfg, api.Deps{Log: log, Auth: authn, Ledger: pool, Submitter: sub, Store: st,
		Limits: cfg.Limits, SyncWait: cfg.Timeouts.SyncWait, Hub: hub, Owner: cfg.Owner, Channel: pool.Channel()})
	if err != nil {
		return err
	}

	if cfg.Pprof != "" {
		go func() {
			// net/http/pprof registers on the default mux, which nothing else uses.
			log.Info("profiler listening", "addr", cfg.Pprof)
			if err := http.ListenAndServe(cfg.Pprof, nil); err != nil {
				log.Warn("profiler stopped", "err", err)
			}
		}()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go janitor(ctx, log, st, cfg.Retention)
	if pr, ok := streamPrincipal(file, pool.Orgs()); ok {
		go hub.Run(ctx, pool, pr, webhook.LedgerApplier{Submitter: sub, As: pr})
	}
	if holders := purge.Principals(file, pool.Orgs()); len(holders) > 0 {
		// Data shared under an owner's grant must not outlive the grant (docs/operations.md).
		sweeper, err := purge.New(st.DB(), log, pool, sub, holders)
		if err != nil {
			return err
		}
		go sweeper.Run(ctx, pool)
	}
	errc := make(chan error, 1)
	go func() { errc <- srvs.Serve() }()
	log.Info("gateway listening", "addr", srvs.Addr(), "https", srvs.HTTPS(), "clientCerts", clientCerts(cfg.TLS),
		"metricsAddr", srvs.MetricsAddr(), "orgs", pool.Orgs(), "channel", pool.Channel(), "chaincode", pool.Chaincode())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests and commits")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.Timeouts.Shutdown)
	defer cancel()
	if err := srvs.Shutdown(sctx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	if err := sub.Shutdown(sctx); err != nil {
		log.Warn("commit wait", "err", err)
	}
	if err := hub.FlushCursor(); err != nil {
		log.Warn("write event cursor", "err", err)
	}
	return nil
}

// clientCerts says how the listener treats client certificates, for the
// start-up log.
func clientCerts(t config.TLS) string {
	switch {
	case t.RequireClientCert:
		return "required"
	case t.ClientCAFile != "":
		return "verified if sent"
	default:
		return "not asked"
	}
}

// streamPrincipal picks the identity the webhook dispatcher reads events
// as: the first served org's first user, in a stable order.
func streamPrincipal(file *connection.File, orgs []string) (auth.Principal, bool) {
	for _, id := range orgs {
		o, err := file.Org(id)
		if err != nil {
			continue
		}
		roles := make([]string, 0, len(o.Users))
		for r := range o.Users {
			roles = append(roles, r)
		}
		slices.Sort(roles)
		for _, r := range roles {
			if r != "orgadmin" {
				return auth.Principal{Client: "webhook-dispatcher", Org: o.MSPID, Role: r}, true
			}
		}
	}
	return auth.Principal{}, false
}

// janitor drops idempotency keys and receipts past their retention.
func janitor(ctx context.Context, log *slog.Logger, st *store.Store, r config.Retention) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if n, err := st.Expire(r.IdempotencyKeys, r.Receipts); err != nil {
			log.Warn("expire store entries", "err", err)
		} else if n > 0 {
			log.Info("expired store entries", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
