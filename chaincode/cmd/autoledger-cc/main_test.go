package main

import (
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRunRefusesABadTolerance(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, v := range []string{"soon", "-5m", "0s"} {
		t.Setenv("AUTOLEDGER_TX_TOLERANCE", v)
		err := run(log)
		assert.ErrorContains(t, err, "AUTOLEDGER_TX_TOLERANCE", v)
	}
}
