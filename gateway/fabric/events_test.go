package fabric_test

import (
	"testing"

	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEventIDRoundTrips(t *testing.T) {
	id := fabric.EventIDOf(&client.ChaincodeEvent{BlockNumber: 42, TransactionID: "9f1c"})
	assert.Equal(t, "42-9f1c", id.String())
	back, err := fabric.ParseEventID("42-9f1c")
	require.NoError(t, err)
	assert.Equal(t, id, back)
	assert.Equal(t, fabric.Position{Block: 42, TxID: "9f1c"}, back.Next(), "a resume starts after the event")

	for _, bad := range []string{"", "42", "42-", "-9f1c", "x-9f1c", "-1-9f1c"} {
		_, err := fabric.ParseEventID(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestEventPayloadIsAlwaysJSON(t *testing.T) {
	assert.JSONEq(t, `{"orderId":"O-1"}`, string(fabric.EventPayload(&client.ChaincodeEvent{Payload: []byte(`{"orderId":"O-1"}`)})))
	assert.Equal(t, `"not json"`, string(fabric.EventPayload(&client.ChaincodeEvent{Payload: []byte("not json")})))
}

// A stream resumes after the cursor's event, at a recorded start block,
// or (no cursor yet) at the current height, which it records first; a
// cursor that is neither is refused rather than read from block 0.
func TestResumeAt(t *testing.T) {
	var marked []uint64
	height := func() (uint64, error) { return 77, nil }
	mark := func(b uint64) error { marked = append(marked, b); return nil }

	pos, err := fabric.ResumeAt("", height, mark)
	require.NoError(t, err)
	assert.Equal(t, fabric.Position{Block: 77}, pos)
	assert.Equal(t, []uint64{77}, marked, "the first start is recorded")

	pos, err = fabric.ResumeAt("77", height, mark)
	require.NoError(t, err)
	assert.Equal(t, fabric.Position{Block: 77}, pos)
	pos, err = fabric.ResumeAt("80-9f1c", height, mark)
	require.NoError(t, err)
	assert.Equal(t, fabric.Position{Block: 80, TxID: "9f1c"}, pos)
	assert.Len(t, marked, 1, "only the first start marks")

	_, err = fabric.ResumeAt("x", height, mark)
	require.Error(t, err)
}
