package mockstub

// ReadFault decides whether one ledger read fails, as a read fails on a
// peer whose state database is unreachable or returns a corrupt record.
// collection is "" for public state; key is the key read, or for a range
// scan its start key (for a partial composite key scan, the composite
// prefix). A non-nil error fails the read with that error.
type ReadFault func(collection, key string) error

// FailReads makes every read that fail refuses return its error, in the
// transactions run after the call; nil makes reads succeed again. Every
// read of the stub consults it: GetState (and GetMultipleStates), range and
// partial composite key scans with or without pagination, history,
// validation parameters, GetPrivateData (and GetMultiplePrivateData),
// GetPrivateDataHash and private range scans. A failed read records
// nothing in the read set. Use it to show that chaincode treats a failed
// read as a fault, never as "no such key".
func (l *Ledger) FailReads(fail ReadFault) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.readFault = fail
}

// FailPrefix is a ReadFault failing, with err, every read of a key that
// starts with prefix, public or private. For the records of one composite
// key type use the key shim.CreateCompositeKey(objectType, nil) makes.
func FailPrefix(prefix string, err error) ReadFault {
	return func(_, key string) error {
		if len(key) >= len(prefix) && key[:len(prefix)] == prefix {
			return err
		}
		return nil
	}
}

// fault is the error the ledger's ReadFault gives the read, or nil.
func (s *txStub) fault(collection, key string) error {
	if s.l.readFault == nil {
		return nil
	}
	return s.l.readFault(collection, key)
}
