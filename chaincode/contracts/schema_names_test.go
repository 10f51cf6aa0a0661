package contracts_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// contract-api names the JSON schema of every argument and result type by
// its Go type name alone: two contracts with a type of the same name would
// silently share one schema, and one contract's arguments would then fail
// validation against the other's. Keep exported type names unique.
func TestContractTypeNamesAreUnique(t *testing.T) {
	seen := map[string]string{}
	// Each contract's types live in its package and its shim-free *types package.
	for _, pkg := range []string{"vehicle", "part", "payment", "governance", "owner", "consent", "benefit"} {
		files, err := filepath.Glob(filepath.Join("..", pkg, "*.go"))
		require.NoError(t, err)
		typeFiles, err := filepath.Glob(filepath.Join("..", pkg, pkg+"types", "*.go"))
		require.NoError(t, err)
		files = append(files, typeFiles...)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
			require.NoError(t, err)
			for _, d := range file.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok || gd.Tok != token.TYPE {
					continue
				}
				for _, spec := range gd.Specs {
					ts := spec.(*ast.TypeSpec)
					if !ts.Name.IsExported() || ts.Assign.IsValid() || ts.Name.Name == "Contract" {
						continue
					}
					if prev, dup := seen[ts.Name.Name]; dup && prev != pkg {
						assert.Failf(t, "duplicate contract type name", "%s is declared in both %s and %s", ts.Name.Name, prev, pkg)
					}
					seen[ts.Name.Name] = pkg
				}
			}
		}
	}
	assert.Greater(t, len(seen), 40)
}
