//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/conformance/conformancetest"
	"github.com/autoledger/autoledger/network/fabclient"
	"github.com/hyperledger/fabric-gateway/pkg/client"
)

// networkTarget runs the conformance suite on the real network through the
// "conformance" chaincode. Private data is endorsed by the collection's
// members only, as a correct client must do.
type networkTarget struct {
	t       *testing.T // the suite's test: clients live as long as it
	clients map[string]*orgClient
}

var members = []string{"OemMSP", "DealerMSP", "InsurerMSP"}

func (n *networkTarget) client(t *testing.T, org string) *orgClient {
	if c, ok := n.clients[org]; ok {
		return c
	}
	role := map[string]string{"OemMSP": "production", "SupplierMSP": "production", "DealerMSP": "service", "InsurerMSP": "claims"}[org]
	c := connect(n.t, org, role)
	n.clients[org] = c
	return c
}

func failure(err error) error { return errors.New(fabclient.Describe(err)) }

func (n *networkTarget) Submit(t *testing.T, c conformancetest.Call) conformancetest.Outcome {
	opts := []client.ProposalOption{client.WithArguments(c.Args...)}
	if c.Transient != nil {
		opts = append(opts, client.WithTransient(c.Transient), client.WithEndorsingOrganizations(members...))
	}
	contract := n.client(t, c.Org).contract("conformance")
	prop, err := contract.NewProposal(c.Function, opts...)
	if err != nil {
		return conformancetest.Outcome{Err: err}
	}
	o := conformancetest.Outcome{TxID: prop.TransactionID()}
	tx, err := prop.Endorse()
	if err != nil {
		o.Err = failure(err)
		return o
	}
	o.Payload = tx.Result()
	commit, err := tx.Submit()
	if err != nil {
		o.Err = failure(err)
		return o
	}
	st, err := commit.Status()
	if err != nil {
		o.Err = failure(err)
		return o
	}
	if !st.Successful {
		o.Err = fmt.Errorf("transaction %s invalid: %s", st.TransactionID, st.Code)
		return o
	}
	if c.WantEvent {
		o.EventName, o.Event, o.Err = eventOf(n.client(t, c.Org), st.BlockNumber, st.TransactionID)
	}
	return o
}

func eventOf(c *orgClient, block uint64, txID string) (string, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	events, err := c.network.ChaincodeEvents(ctx, "conformance", client.WithStartBlock(block))
	if err != nil {
		return "", nil, err
	}
	for ev := range events {
		if ev.TransactionID == txID {
			return ev.EventName, ev.Payload, nil
		}
	}
	return "", nil, fmt.Errorf("no event for %s from block %d", txID, block)
}

func (n *networkTarget) Evaluate(t *testing.T, c conformancetest.Call) conformancetest.Outcome {
	opts := []client.ProposalOption{client.WithArguments(c.Args...)}
	if c.PeerOrg != "" {
		opts = append(opts, client.WithEndorsingOrganizations(c.PeerOrg))
	}
	out, err := n.client(t, c.Org).contract("conformance").Evaluate(c.Function, opts...)
	if err != nil {
		return conformancetest.Outcome{Err: failure(err)}
	}
	return conformancetest.Outcome{Payload: out}
}

func TestE2EConformance(t *testing.T) {
	nativeOnly(t, "it runs the autoledger chaincode only, not the conformance probe")
	conformancetest.Run(t, &networkTarget{t: t, clients: map[string]*orgClient{}}, fmt.Sprintf("run%d/", time.Now().UnixNano()))
}
