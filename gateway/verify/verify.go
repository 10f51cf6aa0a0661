package verify

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"
)

// Verify runs every check on b against the pinned roots and what the buyer
// asked for; Result.OK only when all pass. Each check runs even when an
// earlier one failed, so the output says everything that is wrong, but a
// check that needs what an earlier one could not read fails with "not
// checked". An empty field of want is not compared (the CLI warns: without
// the buyer's own challenge the proof is not shown to be fresh).
func Verify(b Bundle, pinned Roots, want Expect) Result {
	v := &verifier{b: b, pinned: pinned, want: want}
	checks := []Check{
		v.check(CheckFormat, v.format),
		v.check(CheckProposal, v.proposal),
		v.check(CheckResponse, v.response),
		v.check(CheckSignatures, v.signatures),
		v.check(CheckEndorsers, v.endorsers),
		v.check(CheckMajority, v.majority),
		v.check(CheckFacts, v.facts),
	}
	ok := true
	for _, c := range checks {
		ok = ok && c.OK
	}
	return Result{OK: ok, Checks: checks}
}

// errNotChecked marks a check that could not run because an earlier one
// could not read what it needs.
var errNotChecked = errors.New("not checked: the envelope could not be read")

type verifier struct {
	b      Bundle
	pinned Roots
	want   Expect

	tx     *endorsedTx // nil when the envelope could not be read
	report *attestedReport
	// signedBy are the endorsements whose signatures verified, by index.
	signedBy map[int]bool
	// endorsedBy are the member orgs of the endorsements that passed both
	// the signature and the identity checks.
	endorsedBy map[string]bool

	trusted  *trust
	trustErr error
}

func (v *verifier) check(name string, f func() (string, error)) (c Check) {
	defer func() {
		// Hostile input must give FAIL, never a crash of the CLI or the page.
		if r := recover(); r != nil {
			c = Check{Name: name, Detail: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	detail, err := f()
	if err != nil {
		return Check{Name: name, Detail: err.Error()}
	}
	return Check{Name: name, OK: true, Detail: detail}
}

// attestedReport is the part of vehicle:AttestedReport's result the
// verifier binds to; the report itself is shown, not interpreted.
type attestedReport struct {
	Format    string          `json:"format"`
	Channel   string          `json:"channel"`
	VIN       string          `json:"vin"`
	Challenge string          `json:"challenge"`
	AsOf      time.Time       `json:"asOf"`
	Facts     []reportFact    `json:"facts"`
	Report    json.RawMessage `json:"report"`
}

type reportFact struct {
	Seq  int64  `json:"seq"`
	Type string `json:"type"`
	TxID string `json:"txId"`
}

func (v *verifier) format() (string, error) {
	b := v.b
	switch {
	case b.Format != Format:
		return "", fmt.Errorf("format %q, want %q", b.Format, Format)
	case b.Chaincode != Chaincode:
		return "", fmt.Errorf("chaincode %q, want %q", b.Chaincode, Chaincode)
	case b.Function != Function:
		return "", fmt.Errorf("function %q, want %q", b.Function, Function)
	case len(b.Result) == 0:
		return "", errors.New("result is empty")
	case b.ProvedAt.IsZero():
		return "", errors.New("provedAt is missing")
	}
	tx, err := parseEndorsedTx(b.Envelope)
	if err != nil {
		return "", fmt.Errorf("envelope: %w", err)
	}
	v.tx = tx
	var r attestedReport
	if err := json.Unmarshal(b.Result, &r); err != nil {
		return "", fmt.Errorf("result is not an attested report: %w", err)
	}
	if r.Format != ReportFormat {
		return "", fmt.Errorf("result format %q, want %q", r.Format, ReportFormat)
	}
	v.report = &r
	return fmt.Sprintf("%s, %d endorsements, %d facts", Format, len(tx.endorsements), len(b.Facts)), nil
}

// expect compares one field of the bundle with the buyer's expectation.
func expect(field, got, want string) error {
	if want != "" && got != want {
		return fmt.Errorf("%s %q, want %q", field, got, want)
	}
	return nil
}

func (v *verifier) proposal() (string, error) {
	tx := v.tx
	if tx == nil {
		return "", errNotChecked
	}
	b := v.b
	if err := errors.Join(expect("channel", b.Channel, v.want.Channel), expect("vin", b.VIN, v.want.VIN),
		expect("challenge", b.Challenge, v.want.Challenge)); err != nil {
		return "", fmt.Errorf("bundle: %w", err)
	}
	if err := tx.isInvocation(b.Channel, []string{Function, b.VIN, b.Challenge}); err != nil {
		return "", err
	}
	if !tx.timestamp.Equal(b.ProvedAt) {
		return "", fmt.Errorf("provedAt %s, but the proposal's timestamp is %s",
			b.ProvedAt.UTC().Format(time.RFC3339Nano), tx.timestamp.UTC().Format(time.RFC3339Nano))
	}
	var unpinned []string
	if v.want.VIN == "" {
		unpinned = append(unpinned, "vin")
	}
	if v.want.Challenge == "" {
		unpinned = append(unpinned, "challenge")
	}
	if v.want.Channel == "" {
		unpinned = append(unpinned, "channel")
	}
	detail := fmt.Sprintf("%s(%s, %s) on %s/%s, tx %s", Function, b.VIN, b.Challenge, b.Channel, Chaincode, tx.txID)
	if len(unpinned) > 0 {
		detail += "; not compared with what you asked for: " + strings.Join(unpinned, ", ")
	}
	return detail, nil
}

func (v *verifier) response() (string, error) {
	tx := v.tx
	if tx == nil || v.report == nil {
		return "", errNotChecked
	}
	if err := tx.isSuccess(); err != nil {
		return "", err
	}
	if !bytes.Equal(tx.action.GetResponse().GetPayload(), v.b.Result) {
		return "", errors.New("the endorsed response payload differs from the bundle's result")
	}
	r, b := v.report, v.b
	if err := errors.Join(expect("result channel", r.Channel, b.Channel), expect("result vin", r.VIN, b.VIN),
		expect("result challenge", r.Challenge, b.Challenge)); err != nil {
		return "", err
	}
	if !r.AsOf.Equal(b.ProvedAt) {
		return "", fmt.Errorf("result asOf %s differs from provedAt %s", r.AsOf.UTC().Format(time.RFC3339Nano),
			b.ProvedAt.UTC().Format(time.RFC3339Nano))
	}
	return "status 200, payload = result, proposal hash matches", nil
}

func (v *verifier) signatures() (string, error) {
	tx := v.tx
	if tx == nil {
		return "", errNotChecked
	}
	v.signedBy = map[int]bool{}
	var errs []error
	for i, e := range tx.endorsements {
		if _, err := verifySignedBy(e.GetEndorser(), concat(tx.prpBytes, e.GetEndorser()), e.GetSignature()); err != nil {
			errs = append(errs, fmt.Errorf("endorsement %d: %w", i, err))
			continue
		}
		v.signedBy[i] = true
	}
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d of %d endorsement signatures verify", len(v.signedBy), len(tx.endorsements)), nil
}

func (v *verifier) endorsers() (string, error) {
	tx := v.tx
	if tx == nil {
		return "", errNotChecked
	}
	trust, err := v.trust()
	if err != nil {
		return "", err
	}
	v.endorsedBy = map[string]bool{}
	var errs []error
	for i, e := range tx.endorsements {
		id, err := trust.identity(e.GetEndorser(), roleEndorser, v.b.ProvedAt)
		if err != nil {
			errs = append(errs, fmt.Errorf("endorsement %d: %w", i, err))
			continue
		}
		if v.signedBy[i] {
			v.endorsedBy[id.mspID] = true
		}
	}
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	return "peers of " + strings.Join(sortedKeys(v.endorsedBy), ", "), nil
}

func (v *verifier) majority() (string, error) {
	if v.tx == nil {
		return "", errNotChecked
	}
	trust, err := v.trust()
	if err != nil {
		return "", err
	}
	need := len(trust.members)/2 + 1
	got := sortedKeys(v.endorsedBy)
	if len(got) < need {
		return "", fmt.Errorf("%d of %d member orgs endorsed (%s), a majority needs %d",
			len(got), len(trust.members), strings.Join(got, ", "), need)
	}
	return fmt.Sprintf("%d of %d member orgs (%s), majority %d", len(got), len(trust.members), strings.Join(got, ", "), need), nil
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// endorsedTx is the parsed form of an endorser transaction envelope.
type endorsedTx struct {
	txID         string
	channel      string
	timestamp    time.Time
	chdrBytes    []byte
	shdrBytes    []byte
	cppBytes     []byte
	prpBytes     []byte
	prp          *peer.ProposalResponsePayload
	action       *peer.ChaincodeAction
	endorsements []*peer.Endorsement
	chdr         *common.ChannelHeader
}

// parseEndorsedTx reads a common.Envelope holding one endorser transaction
// with one action, as fabric-gateway's Endorse() and the orderer's blocks
// hold it.
func parseEndorsedTx(envBytes []byte) (*endorsedTx, error) {
	var env common.Envelope
	if err := proto.Unmarshal(envBytes, &env); err != nil {
		return nil, fmt.Errorf("common.Envelope: %w", err)
	}
	var payload common.Payload
	if err := proto.Unmarshal(env.GetPayload(), &payload); err != nil {
		return nil, fmt.Errorf("common.Payload: %w", err)
	}
	hdr := payload.GetHeader()
	if hdr == nil {
		return nil, errors.New("payload has no header")
	}
	var chdr common.ChannelHeader
	if err := proto.Unmarshal(hdr.GetChannelHeader(), &chdr); err != nil {
		return nil, fmt.Errorf("common.ChannelHeader: %w", err)
	}
	if chdr.GetType() != int32(common.HeaderType_ENDORSER_TRANSACTION) {
		return nil, fmt.Errorf("header type %d, want ENDORSER_TRANSACTION (%d)", chdr.GetType(), common.HeaderType_ENDORSER_TRANSACTION)
	}
	var txn peer.Transaction
	if err := proto.Unmarshal(payload.GetData(), &txn); err != nil {
		return nil, fmt.Errorf("peer.Transaction: %w", err)
	}
	if n := len(txn.GetActions()); n != 1 {
		return nil, fmt.Errorf("%d transaction actions, want 1", n)
	}
	var cap peer.ChaincodeActionPayload
	if err := proto.Unmarshal(txn.GetActions()[0].GetPayload(), &cap); err != nil {
		return nil, fmt.Errorf("peer.ChaincodeActionPayload: %w", err)
	}
	ea := cap.GetAction()
	if ea == nil {
		return nil, errors.New("no endorsed action")
	}
	var prp peer.ProposalResponsePayload
	if err := proto.Unmarshal(ea.GetProposalResponsePayload(), &prp); err != nil {
		return nil, fmt.Errorf("peer.ProposalResponsePayload: %w", err)
	}
	var action peer.ChaincodeAction
	if err := proto.Unmarshal(prp.GetExtension(), &action); err != nil {
		return nil, fmt.Errorf("peer.ChaincodeAction: %w", err)
	}
	if chdr.GetTimestamp() == nil {
		return nil, errors.New("channel header has no timestamp")
	}
	return &endorsedTx{
		txID:         chdr.GetTxId(),
		channel:      chdr.GetChannelId(),
		timestamp:    chdr.GetTimestamp().AsTime(),
		chdrBytes:    hdr.GetChannelHeader(),
		shdrBytes:    hdr.GetSignatureHeader(),
		cppBytes:     cap.GetChaincodeProposalPayload(),
		prpBytes:     ea.GetProposalResponsePayload(),
		prp:          &prp,
		action:       &action,
		endorsements: ea.GetEndorsements(),
		chdr:         &chdr,
	}, nil
}

// isInvocation checks that the transaction invokes chaincode Chaincode on
// channel with exactly args.
func (tx *endorsedTx) isInvocation(channel string, args []string) error {
	if tx.channel != channel {
		return fmt.Errorf("proposal channel %q, want %q", tx.channel, channel)
	}
	var ext peer.ChaincodeHeaderExtension
	if err := proto.Unmarshal(tx.chdr.GetExtension(), &ext); err != nil {
		return fmt.Errorf("peer.ChaincodeHeaderExtension: %w", err)
	}
	if name := ext.GetChaincodeId().GetName(); name != Chaincode {
		return fmt.Errorf("proposal header chaincode %q, want %q", name, Chaincode)
	}
	var cpp peer.ChaincodeProposalPayload
	if err := proto.Unmarshal(tx.cppBytes, &cpp); err != nil {
		return fmt.Errorf("peer.ChaincodeProposalPayload: %w", err)
	}
	var cis peer.ChaincodeInvocationSpec
	if err := proto.Unmarshal(cpp.GetInput(), &cis); err != nil {
		return fmt.Errorf("peer.ChaincodeInvocationSpec: %w", err)
	}
	spec := cis.GetChaincodeSpec()
	if name := spec.GetChaincodeId().GetName(); name != Chaincode {
		return fmt.Errorf("proposal chaincode %q, want %q", name, Chaincode)
	}
	got := spec.GetInput().GetArgs()
	if len(got) != len(args) || !slices.EqualFunc(got, args, func(g []byte, w string) bool { return string(g) == w }) {
		return fmt.Errorf("proposal args %q, want %q", got, args)
	}
	return nil
}

// isSuccess checks what every endorser signed: a payload bound to this
// proposal (Fabric's proposal hash) whose chaincode response is status 200.
func (tx *endorsedTx) isSuccess() error {
	h := sha256.New()
	h.Write(tx.chdrBytes)
	h.Write(tx.shdrBytes)
	h.Write(tx.cppBytes)
	if !bytes.Equal(h.Sum(nil), tx.prp.GetProposalHash()) {
		return errors.New("the endorsed payload's proposal hash does not match the proposal")
	}
	if name := tx.action.GetChaincodeId().GetName(); name != Chaincode {
		return fmt.Errorf("endorsed chaincode %q, want %q", name, Chaincode)
	}
	if s := tx.action.GetResponse().GetStatus(); s != 200 {
		return fmt.Errorf("endorsed response status %d, want 200", s)
	}
	if len(tx.endorsements) == 0 {
		return errors.New("no endorsements")
	}
	return nil
}

func concat(parts ...[]byte) []byte {
	return bytes.Join(parts, nil)
}
