package contracts_test

import (
	"bufio"
	"encoding/json"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/contracts"
	"github.com/autoledger/autoledger/chaincode/mockstub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const chaincodeAPIDoc = "../../docs/chaincode-api.md"

// schema is the part of a JSON schema in contract-api's metadata that says
// what a value is: a named struct ($ref) or a plain type.
type schema struct {
	Ref  string `json:"$ref"`
	Type string `json:"type"`
}

// typeName is the struct name a $ref points at ("#/components/schemas/Part"
// -> "Part"), "" for a plain type.
func (s schema) typeName() string {
	if s.Ref == "" {
		return ""
	}
	return s.Ref[strings.LastIndex(s.Ref, "/")+1:]
}

// servedTx is one transaction as the chaincode serves it.
type servedTx struct {
	Tags       []string `json:"tag"`
	Parameters []struct {
		Schema schema `json:"schema"`
	} `json:"parameters"`
	Returns *schema `json:"returns"`
}

func (tx servedTx) query() bool { return slices.Contains(tx.Tags, "evaluate") }

// servedTransactions asks the assembled chaincode for its metadata, as a
// client asks the peer (org.hyperledger.fabric:GetMetadata): what the peer
// really exposes, keyed "contract:Function".
func servedTransactions(t *testing.T) map[string]servedTx {
	cc, err := contracts.New()
	require.NoError(t, err)
	res := mockstub.New(t, cc).Evaluate(mockstub.Tx{Creator: mockstub.NewIdentity("OemMSP"), Function: "org.hyperledger.fabric:GetMetadata"})
	require.True(t, res.OK(), res.Message)
	var md struct {
		Contracts map[string]struct {
			Transactions []struct {
				Name string `json:"name"`
				servedTx
			} `json:"transactions"`
		} `json:"contracts"`
	}
	require.NoError(t, json.Unmarshal(res.Payload, &md))
	out := map[string]servedTx{}
	for contract, c := range md.Contracts {
		if strings.HasPrefix(contract, "org.hyperledger") {
			continue
		}
		for _, tx := range c.Transactions {
			out[contract+":"+tx.Name] = tx.servedTx
		}
	}
	return out
}

// docTx is one row of a contract's transaction table in docs/chaincode-api.md.
type docTx struct {
	args, result, events, errors string
}

var (
	contractHeading = regexp.MustCompile("^## Contract `([a-z]+)`$")
	ticked          = regexp.MustCompile("`([^`]+)`")
)

// documentedTransactions reads the tables "| transaction | arguments |
// result | events | errors |" under each "## Contract `name`" heading.
func documentedTransactions(t *testing.T) map[string]docTx {
	f, err := os.Open(chaincodeAPIDoc)
	require.NoError(t, err)
	defer f.Close()
	out := map[string]docTx{}
	contract, inTable := "", false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "## "):
			contract = ""
			if m := contractHeading.FindStringSubmatch(line); m != nil {
				contract = m[1]
			}
		case !strings.HasPrefix(line, "|"):
			inTable = false
		case strings.HasPrefix(line, "| transaction |"):
			require.Equal(t, "| transaction | arguments | result | events | errors |", line)
			require.NotEmpty(t, contract, "a transaction table outside a ## Contract section")
			inTable = true
		case inTable && !strings.HasPrefix(line, "|---"):
			cells := strings.Split(strings.Trim(line, "|"), "|")
			require.Len(t, cells, 5, line)
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			m := ticked.FindStringSubmatch(cells[0])
			require.True(t, m != nil && m[0] == cells[0], "one `Function` per row: %s", line)
			name := contract + ":" + m[1]
			require.NotContains(t, out, name, "listed twice")
			out[name] = docTx{args: cells[1], result: cells[2], events: cells[3], errors: cells[4]}
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// topLevel splits s at the commas outside braces, brackets and parentheses.
func topLevel(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '{', '[', '(':
			depth++
		case '}', ']', ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(parts, strings.TrimSpace(s[start:]))
}

// The document lists exactly the transactions the chaincode serves (and
// the access policy rules), with the arguments and result the metadata
// gives them; queries have no event and writes have one.
func TestChaincodeAPIDocListsEveryTransaction(t *testing.T) {
	served, documented := servedTransactions(t), documentedTransactions(t)
	names := slices.Sorted(maps.Keys(served))
	assert.Equal(t, names, slices.Sorted(maps.Keys(documented)),
		"docs/chaincode-api.md and the chaincode's metadata list different transactions")
	assert.Equal(t, names, slices.Sorted(maps.Keys(contracts.Policy())),
		"the access policy and the chaincode's metadata list different transactions")

	for _, name := range names {
		doc, ok := documented[name]
		if !ok {
			continue
		}
		tx := served[name]
		args := strings.TrimSpace(strings.SplitN(doc.args, ";", 2)[0])
		list := topLevel(args)
		if args == "—" {
			list = nil
		}
		if !assert.Len(t, list, len(tx.Parameters), "%s: arguments %q", name, args) {
			continue
		}
		for i, p := range tx.Parameters {
			if typ := p.Schema.typeName(); typ != "" {
				assert.True(t, strings.HasPrefix(list[i], "`"+typ+"`"), "%s: argument %d is a %s, the document says %q", name, i+1, typ, list[i])
			} else {
				assert.False(t, strings.HasPrefix(list[i], "`"), "%s: argument %d is a plain %s, the document says %q", name, i+1, p.Schema.Type, list[i])
			}
		}
		switch {
		case tx.Returns == nil:
			assert.Equal(t, "—", doc.result, "%s returns nothing", name)
		case tx.Returns.typeName() != "":
			assert.True(t, strings.HasPrefix(doc.result, "`"+tx.Returns.typeName()+"`"), "%s returns a %s, the document says %q", name, tx.Returns.typeName(), doc.result)
		default:
			assert.True(t, strings.HasPrefix(doc.result, tx.Returns.Type), "%s returns a plain %s, the document says %q", name, tx.Returns.Type, doc.result)
		}
		assert.Equal(t, tx.query(), doc.events == "—", "%s: a query has no event (—), a write names its event; the document says %q", name, doc.events)
		for _, m := range ticked.FindAllStringSubmatch(doc.errors, -1) {
			if strings.ToUpper(m[1]) == m[1] {
				assert.Contains(t, ccerr.Codes(), ccerr.Code(m[1]), "%s names an error code that does not exist", name)
			}
		}
	}
}

// The document's error table lists exactly the registered codes.
func TestChaincodeAPIDocListsEveryErrorCode(t *testing.T) {
	f, err := os.Open(chaincodeAPIDoc)
	require.NoError(t, err)
	defer f.Close()
	var documented []ccerr.Code
	inTable := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "| code | category |"):
			inTable = true
		case !strings.HasPrefix(line, "|"):
			inTable = false
		case inTable && !strings.HasPrefix(line, "|---"):
			cells := strings.Split(strings.Trim(line, "|"), "|")
			code := ccerr.Code(strings.Trim(strings.TrimSpace(cells[0]), "`"))
			assert.Equal(t, string(code.Category()), strings.TrimSpace(cells[1]), "category of %s", code)
			documented = append(documented, code)
		}
	}
	require.NoError(t, sc.Err())
	assert.ElementsMatch(t, ccerr.Codes(), documented)
}
