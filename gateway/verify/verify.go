package verify

// Verify runs every check on b against the pinned roots and what the buyer
// asked for. It never panics on hostile input and never touches the network.
func Verify(b Bundle, pinned Roots, want Expect) Result {
	return Result{Checks: []Check{{Name: CheckFormat, Detail: "not implemented yet"}}}
}
