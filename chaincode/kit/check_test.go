package kit_test

import (
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/stretchr/testify/assert"
)

func TestConfigDefaults(t *testing.T) {
	c := kit.NewConfig()
	assert.Equal(t, kit.DefaultTolerance, c.Tolerance)
	fixed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c = kit.NewConfig(kit.WithTolerance(time.Second), kit.WithPeerClock(func() time.Time { return fixed }))
	assert.Equal(t, time.Second, c.Tolerance)
	assert.Equal(t, fixed, c.PeerNow())
}

func TestNotAfterTx(t *testing.T) {
	ts := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	assert.NoError(t, kit.NotAfterTx("at", ts, ts))
	assert.Error(t, kit.NotAfterTx("at", ts.Add(time.Second), ts))
}
