// Command autoledger is the car owner's client of an AutoLedger gateway:
//
//	autoledger owner keygen --out key.pem
//	autoledger owner claim --vin 1G4AH59H45G118341 --code k3m9-8d2f-...
//	autoledger owner grant --vin ... --grantee InsurerMSP --scopes driving --purpose usage-based-insurance --days 30
//
// It keeps the owner's key in a file on the owner's computer, builds each
// statement itself, signs it there and has the gateway relay it: the
// gateway (the serving member's code, like its portal) never sees the key
// and cannot make the client sign anything but what the command line says.
// docs/cli.md describes every command.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr})
	stop()
	os.Exit(code)
}

// env is what a run sees of its process, so tests can give their own.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// now is the clock; nil is time.Now.
	now func() time.Time
}

// Exit codes: 1 for a failure (the gateway's refusal included), 2 for a
// command line that could not be used.
const (
	exitFailure = 1
	exitUsage   = 2
)

// usageError is a command line mistake (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func run(ctx context.Context, args []string, e env) int {
	root, c := newRootCmd(e)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintln(e.stderr, "autoledger:", err)
	var ue usageError
	if errors.As(err, &ue) || !c.started {
		// Cobra's own refusals (an unknown flag or command, a required
		// flag missing) come before any command starts.
		return exitUsage
	}
	return exitFailure
}
