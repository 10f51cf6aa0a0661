package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTurnsAlternateWhoGoesFirst(t *testing.T) {
	var got []int
	for i := range 8 {
		got = append(got, turnOf(i, 2))
	}
	assert.Equal(t, []int{0, 1, 1, 0, 0, 1, 1, 0}, got)
	var first [3]int
	for round := range 6 {
		first[turnOf(3*round, 3)]++
	}
	assert.Equal(t, [3]int{3, 0, 3}, first, "with three paths the first and last swap places")
}
