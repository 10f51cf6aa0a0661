package verify_test

import (
	"bytes"
	"crypto/sha256"
)

func sha256Join(data [][]byte) []byte {
	s := sha256.Sum256(bytes.Join(data, nil))
	return s[:]
}
