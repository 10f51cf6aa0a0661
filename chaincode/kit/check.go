package kit

import (
	"time"

	"github.com/autoledger/autoledger/chaincode/rules"
)

// Checker collects field errors; it lives in chaincode/rules so that the
// gateway can use the same rules without linking the chaincode.
type Checker = rules.Checker

// NotAfterTx refuses an observed time (a sale, a delivery) later than the
// transaction time ts: a one-field check every write that takes one needs.
func NotAfterTx(field string, t, ts time.Time) error { return rules.NotAfterTx(field, t, ts) }
