package contracts_test

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/autoledger/autoledger/chaincode/contracts"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docRows reads the table of docs/access-control.md: | function | org | roles |.
func docRows(t *testing.T) [][3]string {
	f, err := os.Open("../../docs/access-control.md")
	require.NoError(t, err)
	defer f.Close()
	var rows [][3]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		require.Len(t, cells, 3, line)
		fn := strings.Trim(strings.TrimSpace(cells[0]), "`")
		org := strings.TrimSpace(cells[1])
		for _, role := range strings.Split(cells[2], ",") {
			role = strings.Trim(strings.TrimSpace(role), "`")
			if role == "any" {
				role = "*"
			}
			rows = append(rows, [3]string{fn, org, role})
		}
	}
	require.NoError(t, sc.Err())
	slices.SortFunc(rows, func(a, b [3]string) int {
		return strings.Compare(a[0]+"\x00"+a[1]+"\x00"+a[2], b[0]+"\x00"+b[1]+"\x00"+b[2])
	})
	return rows
}

func TestAccessControlDocMatchesCode(t *testing.T) {
	assert.Equal(t, contracts.Policy().Rows(), docRows(t),
		"docs/access-control.md and the contracts' policies disagree")
}

// Every transaction the chaincode exposes has an access rule, and every
// rule names a transaction that exists.
func TestEveryTransactionHasARule(t *testing.T) {
	cc, err := contracts.New()
	require.NoError(t, err)
	ledger := mockstub.New(t, cc)
	res := ledger.Evaluate(mockstub.Tx{Creator: mockstub.NewIdentity("OemMSP"), Function: "org.hyperledger.fabric:GetMetadata"})
	require.True(t, res.OK(), res.Message)
	var md struct {
		Contracts map[string]struct {
			Transactions []struct {
				Name string   `json:"name"`
				Tags []string `json:"tag"`
			} `json:"transactions"`
		} `json:"contracts"`
	}
	require.NoError(t, json.Unmarshal(res.Payload, &md))
	var exposed []string
	for name, c := range md.Contracts {
		if strings.HasPrefix(name, "org.hyperledger") {
			continue
		}
		for _, tx := range c.Transactions {
			exposed = append(exposed, name+":"+tx.Name)
		}
	}
	slices.Sort(exposed)
	var ruled []string
	for fn := range contracts.Policy() {
		ruled = append(ruled, fn)
	}
	slices.Sort(ruled)
	assert.Equal(t, ruled, exposed)
}
