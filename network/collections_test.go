package network_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The peers get network/collections_config.json; the contracts and the
// gateway use package collections. They must say the same thing.
func TestCollectionsConfigIsGeneratedFromThePackage(t *testing.T) {
	got, err := os.ReadFile("collections_config.json")
	require.NoError(t, err)
	// Field by field first, so a difference reads as what changed.
	var peers []collections.Config
	dec := json.NewDecoder(bytes.NewReader(got))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&peers), "collections_config.json has a field package collections does not know")
	assert.Equal(t, collections.Configs(), peers,
		"collections_config.json differs from package collections: go generate ./network/cmd/gencollections")
	want, err := collections.ConfigJSON()
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "collections_config.json is not as generated: go generate ./network/cmd/gencollections")
}
