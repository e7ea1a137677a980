// Command dinsosbot is the field reporting bot of a Dinas Sosial: PSM and TKSK
// report PMKS cases, answer meeting invitations and check in, in Telegram.
//
//	dinsosbot [-config FILE]         serve Telegram when the token is set, else the demo
//	dinsosbot [-config FILE] run     serve Telegram (needs a bot token)
//	dinsosbot [-config FILE] standby keep a restored copy warm; serve when the primary's lease expires
//	dinsosbot demo [-db FILE]        the bot against a built-in fake Telegram
//	dinsosbot migrate                apply database migrations and exit
//	dinsosbot [-config FILE] rekey   encrypt every NIK again with the current key (after a rotation)
//	dinsosbot -config FILE restore [-timestamp RFC3339] [-o PATH] [-force]
//	                                 rebuild the database and photos from the replica
//	dinsosbot loadtest [flags]       load, fault and crash test against the fake Telegram
//	dinsosbot form check FILE.xlsx   print an XLSForm as the bot understands it, or why it is refused
//	dinsosbot version                print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"syscall"
	"time"

	_ "time/tzdata" // Asia/Jakarta must load on machines without zone files

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"dinsosbot/bot"
	"dinsosbot/demo"
	"dinsosbot/flows"
	"dinsosbot/loadtest"
	"dinsosbot/store/replica"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// softMemoryLimit keeps the garbage collector from letting the heap double
// under a burst (the scheduler reminding 1,000 drafts at once): `loadtest -rss`
// measured a peak RSS of 59.8 MB without it and 54.6 MB with it, at no cost in
// time. GOMEMLIMIT in the environment overrides it.
const softMemoryLimit = 40 << 20

func main() {
	replica.AgentMain() // this process may be the replication agent (store/replica)
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
	ctx, stop := signalContext()
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "dinsosbot:", err)
		os.Exit(1)
	}
}

// signalContext is cancelled by the first SIGINT or SIGTERM, so the bot stops
// polling and drains; a second signal exits at once.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		cancel()
		<-sigs
		fmt.Fprintln(os.Stderr, "dinsosbot: second signal, exiting now")
		os.Exit(130)
	}()
	return ctx, func() { signal.Stop(sigs); cancel() }
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("dinsosbot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "configuration file (YAML); see config.example.yaml")
	dbPath := fs.String("db", "", "demo: keep the database in this file instead of a temp dir")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: dinsosbot [-config FILE] [run|standby|demo|migrate|rekey|restore|loadtest|form check FILE.xlsx|version]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	// No subcommand: serve Telegram when a token is set, otherwise show the
	// bot working against the built-in fake (the README's first command).
	cmd := ""
	if fs.NArg() > 0 {
		cmd = fs.Arg(0)
		if cmd == "loadtest" { // its own flags and no config file: see loadtest/
			return loadtest.Command(ctx, fs.Args()[1:], stdout, stderr)
		}
		if cmd == "form" { // its own flags; the configuration only for the regions
			cfg, err := LoadConfig(*configPath)
			if err != nil {
				return err
			}
			return formCommand(fs.Args()[1:], cfg.Regions(), stdout, stderr)
		}
		if cmd == "restore" { // its own flags: see restore.go
			return restoreCommand(ctx, *configPath, fs.Args()[1:], stdout, stderr)
		}
		// Flags may follow the subcommand too: "dinsosbot demo -db x.db".
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	if cmd == "version" {
		fmt.Fprintln(stdout, "dinsosbot", version)
		return nil
	}
	cfg, err := LoadConfig(*configPath)
	if err != nil {
		return err
	}
	log := cfg.Logger(stderr)
	if cmd == "" {
		cmd = "run"
		if getenv(cfg.Telegram.TokenEnv) == "" {
			fmt.Fprintf(stderr, "dinsosbot: %s is not set, so this is the demo against a built-in fake Telegram.\n"+
				"To serve real Telegram, get a token from @BotFather (/newbot) and set %s.\n\n",
				cfg.Telegram.TokenEnv, cfg.Telegram.TokenEnv)
			cmd = "demo"
		}
	}
	switch cmd {
	case "run":
		token := getenv(cfg.Telegram.TokenEnv)
		if token == "" {
			return fmt.Errorf("no bot token: set %s to the token @BotFather gave you "+
				"(in Telegram, talk to @BotFather, send /newbot), or try the bot without one: dinsosbot demo",
				cfg.Telegram.TokenEnv)
		}
		return serve(ctx, cfg, token, cfg.Telegram.APIEndpoint, log, nil)
	case "standby":
		token := getenv(cfg.Telegram.TokenEnv)
		if token == "" {
			return fmt.Errorf("no bot token: set %s (the same as the primary's)", cfg.Telegram.TokenEnv)
		}
		return standby(ctx, cfg, token, log, replicaRestorer(cfg))
	case "demo":
		return demo.Run(ctx, demo.Options{DBPath: *dbPath, Location: cfg.Location(), Regions: cfg.Regions(),
			Stdin: stdin, Stdout: stdout, Serve: demoServe(cfg)})
	case "migrate":
		db, _, err := openStore(ctx, cfg, getenv, log, false)
		if err != nil {
			return err
		}
		defer db.Close()
		names, err := db.Migrations(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d migrations applied, latest %s\n", cfg.Database.Path, len(names), names[len(names)-1])
		return nil
	case "rekey":
		_, st, err := openStore(ctx, cfg, getenv, log, true)
		if err != nil {
			return fmt.Errorf("rekey: %w", err)
		}
		fmt.Fprintf(stdout, "%s: encrypted with key %s: %d case NIKs, %d drafts, %d outbox files\n",
			cfg.Database.Path, st.KeyID, st.Cases, st.Drafts, st.Files)
		return nil
	}
	fs.Usage()
	return fmt.Errorf("unknown command %q", cmd)
}

// serve runs the bot against the Bot API at apiBase until ctx is cancelled.
// ready, when given, receives the bot once it is connected.
func serve(ctx context.Context, cfg Config, token, apiBase string, log *slog.Logger, ready func(*bot.Bot)) error {
	held, err := takeLease(ctx, cfg, log)
	if err != nil {
		return err
	}
	return serveHolding(ctx, cfg, token, apiBase, log, ready, held)
}

// serveHolding is serve once the lease (when there is a fence) is held.
func serveHolding(ctx context.Context, cfg Config, token, apiBase string, log *slog.Logger, ready func(*bot.Bot), held *heldLease) error {
	bc := loadtest.WithCrashHook(botConfig(cfg, token, apiBase, log), os.Getenv)
	// closeWithin bounds the replica's last sync on shutdown; a fenced bot
	// must be done writing to the replica before its lease expires, when
	// the standby may take over and write there itself.
	closeWithin := 30 * time.Second
	if held != nil {
		fence, stop := held.keep(log)
		defer stop() // after the bot stopped sending: releases the lease
		bc.Fence = fence
		// The lease's generation names who served when (the drill reads it).
		log.Info("serving with the lease", "generation", held.l.Generation, "owner", held.l.Owner)
	}
	db, _, err := openStore(ctx, cfg, os.Getenv, log, false)
	if err != nil {
		return err
	}
	defer db.Close()
	var mirror flows.MediaMirror
	if rc := cfg.Replication.replica(); rc.On() {
		rep, err := replica.Open(ctx, rc, cfg.Database.Path, cfg.MediaDir, log)
		if err != nil {
			return err
		}
		defer func() {
			closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeWithin)
			defer cancel()
			if err := rep.Close(closeCtx); err != nil {
				log.Error("replication: last sync on shutdown failed", "err", err)
			}
		}()
		if err := db.SetCheckpointer(ctx, rep.Checkpoint); err != nil {
			return err
		}
		bc.Replica, mirror = rep, rep
		log.Info("replicating", "url", rc.URL, "confirm", rc.Confirm, "max_lag", rc.MaxLag)
	}
	b, err := bot.New(ctx, bc, db, func(username string) bot.Handler {
		fc := cfg.flows(username)
		fc.MediaMirror = mirror
		return flows.New(fc)
	})
	if err != nil {
		return err
	}
	if ready != nil {
		ready(b)
	}
	log.Info("dinsosbot running", "bot", b.Username(), "database", cfg.Database.Path, "version", version)
	if err := b.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		if held != nil && (errors.Is(err, bot.ErrFenced) || errors.Is(err, bot.ErrConflict)) {
			closeWithin = held.margin() / 2
		}
		return err
	}
	log.Info("dinsosbot stopped")
	return nil
}

// demoServe starts the bot as the demo asks, on cfg otherwise.
func demoServe(cfg Config) func(context.Context, demo.Setup, func(*bot.Bot)) error {
	return func(ctx context.Context, s demo.Setup, ready func(*bot.Bot)) error {
		c := cfg
		c.Database.Path = s.DBPath
		if s.MediaDir != "" {
			c.MediaDir = s.MediaDir
		}
		c.Admins = append(slices.Clone(cfg.Admins), s.AdminID)
		c.Send.GlobalPerSecond, c.Send.ChatPerSecond, c.Send.ChatBurst = s.GlobalPerSecond, s.ChatPerSecond, s.ChatBurst
		if s.FloodPerMinute > 0 {
			c.Flood.PerMinute, c.Flood.Burst = s.FloodPerMinute, s.FloodBurst
		}
		return serve(ctx, c, s.Token, s.APIURL, s.Log, ready)
	}
}

// botConfig maps the deployment's configuration to the runtime's.
func botConfig(cfg Config, token, apiBase string, log *slog.Logger) bot.Config {
	return bot.Config{
		Token:       token,
		APIBase:     apiBase,
		PollTimeout: time.Duration(cfg.Telegram.PollTimeout),
		Limits: bot.Limits{
			Global:         cfg.Send.GlobalPerSecond,
			PerChat:        cfg.Send.ChatPerSecond,
			PerChatBurst:   cfg.Send.ChatBurst,
			GroupPerMinute: cfg.Send.GroupPerMinute,
		},
		Logger: log,
		Media:  bot.MediaConfig{Dir: cfg.MediaDir},
		Flood:  bot.FloodLimits{PerMinute: cfg.Flood.PerMinute, Burst: cfg.Flood.Burst},
		HTTP:   httpConfig(cfg.HTTP),
		Retry: bot.RetryConfig{Temporary: bot.RetryBudget{Attempts: cfg.Send.RetryAttempts,
			Age: time.Duration(cfg.Send.RetryMaxAge)}, OutageAge: time.Duration(cfg.Send.OutageMaxAge)},
		Watch: bot.WatchConfig{PendingStale: time.Duration(cfg.Send.PendingStale),
			StuckAfter: time.Duration(cfg.Send.StuckAfter), AlertEvery: time.Duration(cfg.Send.AlertEvery)},

		Schedule: cfg.Schedules.schedule(cfg.Location()),
	}
}

// httpConfig maps the operations listener's settings to the runtime's, with a
// registry of our own holding the Go runtime's and the process's metrics
// beside the bot's.
func httpConfig(c HTTPConfig) bot.HTTPConfig {
	if c.Listen == "" {
		return bot.HTTPConfig{}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return bot.HTTPConfig{Listen: c.Listen, Registry: reg, PollStale: time.Duration(c.PollStale)}
}
