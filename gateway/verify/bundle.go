// Package verify checks an AutoLedger report bundle offline: that a
// majority of the channel's member organisations endorsed the attested
// report the buyer asked for (their VIN, their challenge), with peer
// certificates that chain to the consortium's pinned roots, and, for the
// facts the bundle proves, that the orderer signed a block holding the
// transaction that wrote them.
//
// It needs no network, no file and no chaincode shim, so the same code runs
// in the autoledger CLI and, compiled to WebAssembly, in a browser.
// docs/verification.md specifies the bundle and every check.
package verify

import (
	"strings"
	"time"
)

// Format, Chaincode and Function are fixed: a bundle for anything else is
// not a report bundle this verifier understands.
const (
	Format       = "autoledger-report-bundle/v1"
	Chaincode    = "autoledger"
	Function     = "vehicle:AttestedReport"
	ReportFormat = "autoledger-attested-report/v1"
)

// Bundle is what the gateway hands a buyer: the endorsed (never submitted)
// attested-report transaction, the report bytes, the channel's MSPs as hints
// and the report's facts, some of them with the block that proves them.
type Bundle struct {
	Format    string    `json:"format"`
	Channel   string    `json:"channel"`
	Chaincode string    `json:"chaincode"`
	Function  string    `json:"function"`
	VIN       string    `json:"vin"`
	Challenge string    `json:"challenge"`
	ProvedAt  time.Time `json:"provedAt"` // the proposal's timestamp
	// Envelope is a common.Envelope, as fabric-gateway's Transaction.Bytes()
	// after Endorse(): the proposal and its endorsements.
	Envelope []byte `json:"envelope"`
	// Result is the chaincode response payload: the AttestedReport JSON.
	Result []byte `json:"result"`
	// MSPs are the member orgs and the orderer org as the channel
	// configuration holds them. Hints only: the pinned roots decide.
	MSPs []MSP `json:"msps"`
	// Members are the channel's application org MSP IDs.
	Members []string `json:"members"`
	Facts   []Fact   `json:"facts"`
}

// MSP is one organisation's certificates from the channel configuration.
type MSP struct {
	ID                string   `json:"mspId"`
	RootCerts         []string `json:"rootCerts"`         // PEM
	IntermediateCerts []string `json:"intermediateCerts"` // PEM
	CRLs              []string `json:"crls"`              // PEM
	PeerOU            string   `json:"peerOU"`            // NodeOUs peer OU identifier, e.g. "peer"
	Orderer           bool     `json:"orderer"`
}

// Fact is one life event of the report. With Block it is proven (the block
// holding TxID); without, it is only the report's claim.
type Fact struct {
	Seq   int64  `json:"seq"`
	Type  string `json:"type"`
	TxID  string `json:"txId"`
	Block []byte `json:"block,omitempty"` // a common.Block holding TxID
}

// Roots are the pinned roots: MSP ID -> PEM root certificates, from the
// consortium's publication, not from the bundle.
type Roots map[string][]string

// Expect is what the buyer asked for. Chaincode and Function are fixed.
type Expect struct {
	Channel   string `json:"channel"`
	VIN       string `json:"vin"`
	Challenge string `json:"challenge"`
	// Orderers are the orderer orgs the consortium publishes with its
	// roots; required. The pinned roots cannot say which org orders, so
	// without this a bundle could call members the orderer org and shrink
	// the majority down to one org.
	Orderers []string `json:"orderers,omitempty"`
}

// Check names, stable: tests, the CLI's output and docs/verification.md use them.
const (
	CheckFormat     = "format"
	CheckProposal   = "proposal"
	CheckResponse   = "response"
	CheckSignatures = "signatures"
	CheckEndorsers  = "endorsers"
	CheckMajority   = "majority"
	CheckFacts      = "facts"
)

// Check is the outcome of one named check.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Result is every check's outcome; OK only when all passed.
type Result struct {
	OK     bool    `json:"ok"`
	Checks []Check `json:"checks"`
}

// Failed is the first failed check, or nil.
func (r Result) Failed() *Check {
	for i := range r.Checks {
		if !r.Checks[i].OK {
			return &r.Checks[i]
		}
	}
	return nil
}

// String is "PASS" or "FAIL: <first failed check>: <detail>", then one line
// per check.
func (r Result) String() string {
	var sb strings.Builder
	if f := r.Failed(); r.OK && f == nil {
		sb.WriteString("PASS\n")
	} else if f != nil {
		sb.WriteString("FAIL: " + f.Name + ": " + f.Detail + "\n")
	} else {
		sb.WriteString("FAIL: no checks ran\n")
	}
	for _, c := range r.Checks {
		mark := "ok  "
		if !c.OK {
			mark = "FAIL"
		}
		sb.WriteString(mark + " " + c.Name)
		if c.Detail != "" {
			sb.WriteString(": " + c.Detail)
		}
		sb.WriteString("\n")
	}
	return sb.String()
}
