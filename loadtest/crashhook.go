package loadtest

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"dinsosbot/bot"
)

// The load test's in-transaction kill. A SIGKILL sent from outside lands at
// a random instruction, and rarely inside the short window where a batch's
// transaction is open; to aim at that window the bot kills itself from
// bot.Config.BeforeCommit, after the flows wrote their changes and the
// outbox rows and before SQLite's COMMIT, so the restarted bot must find a
// WAL with uncommitted frames and replay the batch exactly once.
//
// The loadtest parent asks for it by creating a trigger file; the child
// takes the file (removes it) in its next transaction and dies there. Safe
// outside the load test: the hook is installed only when both variables
// below are set, which only the loadtest parent does for the child it
// starts (supervisor.startLocked), and even then it does nothing until the
// trigger file appears. A deployment sets neither. It lives here, beside the
// parent that drives it, so the trigger's protocol stays private to the load
// test; the command only passes its bot.Config through WithCrashHook.

// crashBeforeCommitEnv names the trigger file's path in the child's
// environment.
const crashBeforeCommitEnv = "DINSOSBOT_CRASH_BEFORE_COMMIT"

// WithCrashHook returns cfg with the load test's kill inside the transaction
// installed when getenv says this process is a loadtest child that asked
// for it; otherwise cfg unchanged.
func WithCrashHook(cfg bot.Config, getenv func(string) string) bot.Config {
	trigger := getenv(crashBeforeCommitEnv)
	if trigger == "" || getenv(loadChildEnv) == "" {
		return cfg
	}
	next := cfg.BeforeCommit
	cfg.BeforeCommit = func(lastUpdateID int) error {
		if next != nil {
			if err := next(lastUpdateID); err != nil {
				return err
			}
		}
		// Whoever removes the file owns the kill: the parent removes it
		// itself when no batch came in time, and then this must not fire.
		if err := os.Remove(trigger); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return fmt.Errorf("crash hook: take the trigger %s: %w", trigger, err)
		}
		// Unbuffered: the line is in bot.log before the process is gone.
		fmt.Fprintf(os.Stderr, "crash hook: SIGKILL inside the transaction of updates up to %d, before COMMIT\n", lastUpdateID)
		if err := syscall.Kill(os.Getpid(), syscall.SIGKILL); err != nil {
			return fmt.Errorf("crash hook: kill itself: %w", err)
		}
		// SIGKILL to oneself ends every thread before this returns to user
		// code; should it not, abort the batch as a crash would.
		return errors.New("crash hook: SIGKILL did not end the process")
	}
	return cfg
}
