package rules

import (
	"reflect"
	"strconv"
)

// Limit returns the bound ("min" or "max") the validate tag of T's field
// (a Go field name) sets, and whether it sets one: tests hold the tag
// literals to the named constants the contracts use.
func Limit[T any](field, bound string) (float64, bool) {
	f, ok := reflect.TypeFor[T]().FieldByName(field)
	if !ok {
		return 0, false
	}
	lo, hi := Bounds(f.Tag.Get("validate"))
	v := hi
	if bound == "min" {
		v = lo
	}
	n, err := strconv.ParseFloat(v, 64)
	return n, err == nil
}
