package access_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/autoledger/autoledger/chaincode/access"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The "Roles per org" list of docs/access-control.md is access.Roles.
func TestAccessControlDocListsTheRoles(t *testing.T) {
	f, err := os.Open("../../docs/access-control.md")
	require.NoError(t, err)
	defer f.Close()
	documented := map[string][]string{}
	section := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			section = line == "## Roles per org"
			continue
		}
		msp, roles, ok := strings.Cut(strings.TrimPrefix(line, "- "), ": ")
		if !section || !strings.HasPrefix(line, "- ") || !ok {
			continue
		}
		documented[msp] = strings.Split(roles, ", ")
	}
	require.NoError(t, sc.Err())
	assert.Equal(t, access.Roles, documented, "docs/access-control.md, section Roles per org")
}
