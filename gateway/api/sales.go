package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/autoledger/autoledger/chaincode/collections"
	"github.com/autoledger/autoledger/chaincode/owner/ownertypes"
	"github.com/autoledger/autoledger/chaincode/owner/statement"
	"github.com/autoledger/autoledger/chaincode/rules"
	vehicle "github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/autoledger/autoledger/gateway/fabric"
	"github.com/autoledger/autoledger/gateway/ownerclient"
	"github.com/autoledger/autoledger/gateway/store"
	"github.com/gin-gonic/gin"
)

// linkEndorsers endorse the write of a dealer's customer reference: the
// owners collection's own endorsers (the dealer alone). The reference is
// transient data and reaches no other org's peer, the supplier's least.
var linkEndorsers = func() []string {
	c, _ := collections.Get(collections.Owners)
	return c.Endorsers
}()

// DealerSaleBody is the REST body of a dealer's first sale of a new car.
// The gateway makes the buyer's claim key and answers its code. ownerRef, the dealer's own
// customer reference, is optional; with it comes ownerSalt, the client's
// random salt of the private record (as for every salted record): both go
// to the owners collection only, in a transaction of their own.
type DealerSaleBody struct {
	SaleDate   time.Time `json:"saleDate" validate:"required"`
	OdometerKm int64     `json:"odometerKm" validate:"min=0,max=10000000"`
	UseType    string    `json:"useType" validate:"usetype"`
	OwnerRef   string    `json:"ownerRef,omitempty" validate:"omitempty,ownerref"`
	OwnerSalt  string    `json:"ownerSalt,omitempty" validate:"omitempty,salt"`
}

// Validate checks the fields with the chaincode's rules, and that ownerRef
// and ownerSalt come together.
func (b DealerSaleBody) Validate() error {
	var c rules.Checker
	c.Struct(b)
	switch {
	case b.OwnerRef != "" && b.OwnerSalt == "":
		c.Fail("ownerSalt", "required_with", "is required with ownerRef: 16 random bytes in lower-case hex, new for each sale")
	case b.OwnerSalt != "" && b.OwnerRef == "":
		c.Fail("ownerRef", "required_with", "is required with ownerSalt")
	}
	return c.Err()
}

// DealerSale answers a dealer's sale: the sale's transaction, the buyer's
// claim code and the customer link's outcome. The claim code (the claim
// key's private half) is in this answer only: the ledger has the public
// half, the gateway keeps nothing.
type DealerSale struct {
	TxView
	OwnerNo   int    `json:"ownerNo,omitempty"`
	ClaimCode string `json:"claimCode"`
	// ClaimFingerprint is the claim key's fingerprint in groups of four,
	// as the ledger's ownership shows it until the claim.
	ClaimFingerprint   string    `json:"claimFingerprint"`
	ClaimCodeShownOnce bool      `json:"claimCodeShownOnce"`
	Link               *Followup `json:"link,omitempty"`
}

// dealerSale records a first sale from stock (owner:SellFromStock) with a
// fresh claim key's public half, then, when the body names the customer, links
// the ownership to the dealer's reference (owner:LinkCustomer, endorsed by
// the dealer alone). Neither Idempotency-Key nor Prefer applies: a retried
// sale is refused (the car has an owner), and an answer replayed from a
// receipt could not show the claim code, which is kept nowhere.
func (s *Server) dealerSale(c *gin.Context) {
	vin, ok := pathVIN(c)
	if !ok {
		return
	}
	b, _, ok := readBody[DealerSaleBody](c)
	if !ok {
		return
	}
	code, err := ownerclient.NewClaimCode()
	if err != nil {
		fail(c, err)
		return
	}
	req := ownertypes.SaleRequest{SaleDate: b.SaleDate, OdometerKm: b.OdometerKm, UseType: b.UseType, ClaimPublicKey: code.PublicKeyBase64()}
	r, ok := s.commit(c, fabric.Request{Function: "owner:SellFromStock", Args: []string{vin, jsonArg(req)}, SuccessStatus: http.StatusCreated})
	if !ok {
		return
	}
	out := DealerSale{TxView: view(r), ClaimCode: code.Code, ClaimFingerprint: statement.FormatFingerprint(code.Fingerprint()), ClaimCodeShownOnce: true}
	var res ownertypes.SaleResult
	if r.Status == store.Committed && json.Unmarshal(r.Result, &res) == nil {
		out.OwnerNo = res.Ownership.OwnerNo
	}
	if b.OwnerRef != "" {
		out.Link = s.linkCustomer(c, vin, out.OwnerNo, vehicle.NewOwner{OwnerRef: b.OwnerRef, Salt: b.OwnerSalt})
	}
	s.writeTx(c, r, out)
}

// linkCustomer writes the dealer's customer reference of ownership ownerNo
// once its sale committed.
func (s *Server) linkCustomer(c *gin.Context, vin string, ownerNo int, o vehicle.NewOwner) *Followup {
	if ownerNo == 0 {
		return &Followup{Status: FollowupNotRun, Detail: "the sale is not committed yet, so its ownership number is unknown: the customer reference was not recorded"}
	}
	return s.followup(c, fabric.Request{Principal: principal(c), Function: "owner:LinkCustomer", Args: []string{vin, strconv.Itoa(ownerNo)},
		Transient: map[string][]byte{ownertypes.OwnerTransientKey: []byte(jsonArg(o))}, Endorsers: linkEndorsers})
}
