package fabric

import (
	"testing"

	"go.uber.org/goleak"
)

// Every commit wait a test starts must have ended when the tests do.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
