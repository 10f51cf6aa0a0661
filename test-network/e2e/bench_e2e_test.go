//go:build e2e

package e2e

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autoledger/autoledger/network/fabclient"
	"github.com/hyperledger/fabric-gateway/pkg/client"
)

// benchSeq starts from the clock so that runs against a long-lived network
// do not reuse VINs.
var benchSeq = func() *atomic.Int64 {
	var n atomic.Int64
	n.Store(time.Now().UnixNano() / 1000 % 100000000)
	return &n
}()

func benchVIN() string { return fmt.Sprintf("WVWZZZ1JZ%08d", benchSeq.Add(1)%100000000) }

// BenchmarkE2ESubmit measures one client waiting for each commit in turn:
// the latency a write sees, dominated by block cutting.
func BenchmarkE2ESubmit(b *testing.B) {
	oem := connect(b, "OemMSP", "production")
	contract := oem.contract("autoledger")
	for b.Loop() {
		if _, err := contract.Submit("vehicle:Register", client.WithArguments(registerRequest(benchVIN()))); err != nil {
			b.Fatal(fabclient.Describe(err))
		}
	}
}

// BenchmarkE2ESubmitParallel measures throughput with 8 concurrent writers.
func BenchmarkE2ESubmitParallel(b *testing.B) {
	oem := connect(b, "OemMSP", "production")
	contract := oem.contract("autoledger")
	b.SetParallelism(4) // 4 x GOMAXPROCS(2) = 8 writers
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := contract.Submit("vehicle:Register", client.WithArguments(registerRequest(benchVIN()))); err != nil {
				b.Error(fabclient.Describe(err))
				return
			}
		}
	})
}
