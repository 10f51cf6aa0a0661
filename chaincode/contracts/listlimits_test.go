package contracts_test

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/autoledger/autoledger/chaincode/ccerr"
	"github.com/autoledger/autoledger/chaincode/contracts"
	"github.com/autoledger/autoledger/chaincode/governance"
	"github.com/autoledger/autoledger/chaincode/part"
	"github.com/autoledger/autoledger/chaincode/payment"
	"github.com/autoledger/autoledger/chaincode/payment/paymenttypes"
	"github.com/autoledger/autoledger/chaincode/rules"
	"github.com/autoledger/autoledger/chaincode/vehicle"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type validator interface{ Validate() error }

// requestTypes are the struct parameters of every transaction, found by
// reflection so that a new transaction's request is covered without being
// listed, plus the request types that travel as a setting's value.
func requestTypes(t *testing.T) []reflect.Type {
	gov, err := governance.NewContract(contracts.Settings())
	require.NoError(t, err)
	ctxType := reflect.TypeFor[contractapi.TransactionContextInterface]()
	seen := map[reflect.Type]bool{}
	out := []reflect.Type{reflect.TypeFor[paymenttypes.CalendarRequest]()}
	for _, c := range []any{vehicle.NewContract(), part.NewContract(), payment.NewContract(), gov} {
		ct := reflect.TypeOf(c)
		for i := range ct.NumMethod() {
			m := ct.Method(i).Type
			if m.NumIn() < 2 || m.In(1) != ctxType {
				continue
			}
			for j := 2; j < m.NumIn(); j++ {
				if p := m.In(j); p.Kind() == reflect.Struct && !seen[p] {
					seen[p] = true
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// Every list in every request has a maximum in its validate tag; at the
// maximum the list's count rule holds, one past it the request is refused
// on that list. A new list without a maximum fails here.
func TestEveryRequestListHasAMaximum(t *testing.T) {
	checked := 0
	for _, typ := range requestTypes(t) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.Type.Kind() != reflect.Slice {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			_, hi := rules.Bounds(f.Tag.Get("validate"))
			if !assert.NotEmpty(t, hi, "%s.%s has no max= in its validate tag", typ.Name(), f.Name) {
				continue
			}
			limit, err := strconv.Atoi(hi)
			require.NoError(t, err)
			for _, n := range []int{limit, limit + 1} {
				v := reflect.New(typ).Elem()
				v.Field(i).Set(reflect.MakeSlice(f.Type, n, n))
				req, ok := v.Interface().(validator)
				require.True(t, ok, "%s has no Validate", typ.Name())
				assert.Equal(t, n > limit, countFailed(req.Validate(), name), "%s.%s with %d items (max %d)", typ.Name(), name, n, limit)
			}
			checked++
		}
	}
	assert.GreaterOrEqual(t, checked, 7, "the walk found the known lists")
}

// countFailed reports whether err refuses list field for its length.
func countFailed(err error, field string) bool {
	e, ok := ccerr.From(err)
	if !ok {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field && (f.Rule == "count" || f.Rule == "max_items") {
			return true
		}
	}
	return false
}
