//go:build e2e

package e2e

import (
	"os/exec"
	"slices"
)

// shell runs script with bash and returns its standard output.
func shell(script string) (string, error) {
	out, err := exec.Command("bash", "-c", script).Output()
	return string(out), err
}

func slicesSort(s []string) { slices.Sort(s) }
