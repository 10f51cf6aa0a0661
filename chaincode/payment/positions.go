package payment

import (
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Index object types of a party's open positions. Each is written where the
// position opens and deleted where it closes, so Positions is two prefix
// scans of that party's keys, not a scan of every order.
const (
	payableObject = "position~payable" // payer, order
	dueToObject   = "position~due"     // payee, order (an obligation without a voucher)
	holdingObject = "position~holding" // holder, receivable, share
)

// Position is one open payable or receivable of a party.
type Position struct {
	OrderID      string    `json:"orderId"`
	Counterparty string    `json:"counterparty"`
	DueDate      time.Time `json:"dueDate"`
	ReceivableID string    `json:"receivableId,omitempty" metadata:",optional"`
	ShareID      string    `json:"shareId,omitempty" metadata:",optional"`
	BP           int64     `json:"bp"`
	Overdue      bool      `json:"overdue"`
}

// Positions answers payment:Positions.
type Positions struct {
	Party       string     `json:"party"`
	Payables    []Position `json:"payables"`
	Receivables []Position `json:"receivables"`
}

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
func openObligation(stub shim.ChaincodeStubInterface, o *Order) error {
	if err := setIndex(stub, true, payableObject, o.Buyer, o.OrderID); err != nil {
		return err
	}
	return setIndex(stub, true, dueToObject, o.Seller, o.OrderID)
}

// closeObligation removes a settled order's positions, vouchers included.
func closeObligation(stub shim.ChaincodeStubInterface, o *Order, r *Receivable) error {
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

func scanKeys(stub shim.ChaincodeStubInterface, object, party string) ([][]string, error) {
	it, err := stub.GetStateByPartialCompositeKey(object, []string{party})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out [][]string
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, err
		}
		_, parts, err := stub.SplitCompositeKey(kv.Key)
		if err != nil {
			return nil, err
		}
		out = append(out, parts)
	}
	return out, nil
}

// Positions lists a party's open payables and receivables (obligations
// due to it and voucher shares it holds), in key order.
func (c *Contract) Positions(ctx contractapi.TransactionContextInterface, party string) (*Positions, error) {
	stub := ctx.GetStub()
	if _, err := get[Party](stub, "party", "party", party); err != nil {
		return nil, err
	}
	out := &Positions{Party: party, Payables: []Position{}, Receivables: []Position{}}
	pays, err := scanKeys(stub, payableObject, party)
	if err != nil {
		return nil, err
	}
	for _, k := range pays {
		o, err := get[Order](stub, "order", "order", k[1])
		if err != nil {
			return nil, err
		}
		out.Payables = append(out.Payables, Position{OrderID: o.OrderID, Counterparty: o.Seller, DueDate: o.DueDate, BP: WholeBP, Overdue: o.Overdue})
	}
	dues, err := scanKeys(stub, dueToObject, party)
	if err != nil {
		return nil, err
	}
	for _, k := range dues {
		o, err := get[Order](stub, "order", "order", k[1])
		if err != nil {
			return nil, err
		}
		out.Receivables = append(out.Receivables, Position{OrderID: o.OrderID, Counterparty: o.Buyer, DueDate: o.DueDate, BP: WholeBP, Overdue: o.Overdue})
	}
	holds, err := scanKeys(stub, holdingObject, party)
	if err != nil {
		return nil, err
	}
	for _, k := range holds {
		r, err := get[Receivable](stub, "receivable", "receivable", k[1])
		if err != nil {
			return nil, err
		}
		for _, s := range r.Shares {
			if s.ShareID == k[2] {
				out.Receivables = append(out.Receivables, Position{OrderID: r.OrderID, Counterparty: r.Payer, DueDate: r.MaturesAt,
					ReceivableID: r.ReceivableID, ShareID: s.ShareID, BP: s.BP})
			}
		}
	}
	return out, nil
}
