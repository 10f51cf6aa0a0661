package payment

import (
	"fmt"

	"github.com/autoledger/autoledger/chaincode/kit"
	"github.com/autoledger/autoledger/chaincode/payment/paymenttypes"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
)

// Index object types of a party's open positions. Each is written where the
// position opens and deleted where it closes, so Positions is two prefix
// scans of that party's keys, not a scan of every order.
const (
	payableObject = "position~payable" // payer, order
	dueToObject   = "position~due"     // payee, order (an obligation without a voucher)
	holdingObject = "position~holding" // holder, receivable, share
)

func setIndex(stub shim.ChaincodeStubInterface, on bool, object string, parts ...string) error {
	k, err := key(object, parts...)
	if err != nil {
		return err
	}
	if on {
		return stub.PutState(k, []byte{1})
	}
	return stub.DelState(k)
}

// openObligation indexes an accepted order for both parties.
func openObligation(stub shim.ChaincodeStubInterface, o *paymenttypes.Order) error {
	if err := setIndex(stub, true, payableObject, o.Buyer, o.OrderID); err != nil {
		return err
	}
	return setIndex(stub, true, dueToObject, o.Seller, o.OrderID)
}

// closeObligation removes a settled order's positions, vouchers included.
func closeObligation(stub shim.ChaincodeStubInterface, o *paymenttypes.Order, r *paymenttypes.Receivable) error {
	if err := setIndex(stub, false, payableObject, o.Buyer, o.OrderID); err != nil {
		return err
	}
	if err := setIndex(stub, false, dueToObject, o.Seller, o.OrderID); err != nil {
		return err
	}
	if r == nil {
		return nil
	}
	for _, s := range r.Shares {
		if err := setIndex(stub, false, holdingObject, s.Holder, r.ReceivableID, s.ShareID); err != nil {
			return err
		}
	}
	return nil
}

// indexed calls fn with the key parts after party of each index entry of
// party under object.
func indexed(stub shim.ChaincodeStubInterface, object, party string, fn func(parts []string) error) error {
	it, err := stub.GetStateByPartialCompositeKey(object, []string{party})
	if err != nil {
		return fmt.Errorf("scan %s of %s: %w", object, party, err)
	}
	return kit.Each(it, func(kv *queryresult.KV) (bool, error) {
		_, parts, err := stub.SplitCompositeKey(kv.Key)
		if err != nil {
			return false, err
		}
		return true, fn(parts[1:])
	})
}

// orderPositions lists the obligations indexed for party under object, each
// against the order's other side.
func orderPositions(stub shim.ChaincodeStubInterface, object, party string) ([]paymenttypes.Position, error) {
	out := []paymenttypes.Position{}
	err := indexed(stub, object, party, func(k []string) error {
		o, err := get[paymenttypes.Order](stub, "order", "order", k[0])
		if err != nil {
			return err
		}
		other := o.Seller // an order never has one party on both sides
		if other == party {
			other = o.Buyer
		}
		out = append(out, paymenttypes.Position{OrderID: o.OrderID, Counterparty: other, DueDate: o.DueDate, BP: paymenttypes.WholeBP, Overdue: o.Overdue})
		return nil
	})
	return out, err
}

// Positions lists a party's open payables and receivables (obligations
// due to it and voucher shares it holds), in key order.
func (c *Contract) Positions(ctx contractapi.TransactionContextInterface, party string) (*paymenttypes.Positions, error) {
	stub := ctx.GetStub()
	if _, err := get[paymenttypes.Party](stub, "party", "party", party); err != nil {
		return nil, err
	}
	pays, err := orderPositions(stub, payableObject, party)
	if err != nil {
		return nil, err
	}
	dues, err := orderPositions(stub, dueToObject, party)
	if err != nil {
		return nil, err
	}
	out := &paymenttypes.Positions{Party: party, Payables: pays, Receivables: dues}
	err = indexed(stub, holdingObject, party, func(k []string) error {
		r, err := get[paymenttypes.Receivable](stub, "receivable", "receivable", k[0])
		if err != nil {
			return err
		}
		for _, s := range r.Shares {
			if s.ShareID == k[1] {
				out.Receivables = append(out.Receivables, paymenttypes.Position{OrderID: r.OrderID, Counterparty: r.Payer, DueDate: r.MaturesAt,
					ReceivableID: r.ReceivableID, ShareID: s.ShareID, BP: s.BP})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
