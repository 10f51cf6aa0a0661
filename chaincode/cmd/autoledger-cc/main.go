// Command autoledger-cc is the AutoLedger chaincode. With
// CHAINCODE_SERVER_ADDRESS and CORE_CHAINCODE_ID_NAME set it runs as a
// chaincode server (chaincode as a service; TLS from CORE_PEER_TLS_ENABLED,
// CORE_TLS_CLIENT_KEY_FILE, CORE_TLS_CLIENT_CERT_FILE and
// CORE_PEER_TLS_ROOTCERT_FILE); otherwise it connects to the peer that
// launched it. AUTOLEDGER_TX_TOLERANCE (a Go duration, default 5m) bounds how
// far a transaction timestamp may be from this peer's clock.
package main

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/autoledger/autoledger/chaincode/contracts"
	"github.com/autoledger/autoledger/chaincode/kit"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("chaincode stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	var opts []kit.Option
	if s := os.Getenv("AUTOLEDGER_TX_TOLERANCE"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return fmt.Errorf("AUTOLEDGER_TX_TOLERANCE=%q: want a positive Go duration such as 5m", s)
		}
		opts = append(opts, kit.WithTolerance(d))
	}
	cc, err := contracts.New(opts...)
	if err != nil {
		return err
	}
	log.Info("starting chaincode", "address", os.Getenv("CHAINCODE_SERVER_ADDRESS"), "id", os.Getenv("CORE_CHAINCODE_ID_NAME"))
	if err := cc.Start(); err != nil {
		return fmt.Errorf("chaincode server: %w", err)
	}
	return nil
}
