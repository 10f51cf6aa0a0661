package api_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The gateway validates requests with the chaincode's own types and rules,
// which live in shim-free packages so that the gateway binary links neither
// the contract API nor the shim (nor any contract). A new import that pulls
// them back in fails here.
func TestGatewayLinksNoChaincodeRuntime(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go tool on PATH")
	}
	const module = "github.com/autoledger/autoledger/"
	out, err := exec.Command("go", "list", "-deps", module+"gateway/cmd/autoledger-gateway").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	forbidden := []string{
		"github.com/hyperledger/fabric-contract-api-go",
		"github.com/hyperledger/fabric-chaincode-go/v2/shim",
		module + "chaincode/contracts",
		module + "chaincode/kit",
		module + "chaincode/vehicle",
		module + "chaincode/part",
		module + "chaincode/payment",
		module + "chaincode/governance",
		module + "chaincode/owner",
		module + "chaincode/consent",
		module + "chaincode/benefit",
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list -deps listed only %d packages: %s", len(deps), out)
	}
	for _, dep := range deps {
		for _, f := range forbidden {
			if (dep == f || strings.HasPrefix(dep, f+"/")) && !shimFree(dep) {
				t.Errorf("the gateway binary links %s", dep)
			}
		}
	}
}

// shimFree reports the contracts' *types packages (chaincode/vehicle/vehicletypes, ...)
// and the owner statement package, which the gateway checks statements with.
func shimFree(dep string) bool {
	const module = "github.com/autoledger/autoledger/chaincode/"
	c, t, ok := strings.Cut(strings.TrimPrefix(dep, module), "/")
	return ok && strings.HasPrefix(dep, module) && (t == c+"types" || c == "owner" && t == "statement")
}
