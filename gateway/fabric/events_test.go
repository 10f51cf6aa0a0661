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
