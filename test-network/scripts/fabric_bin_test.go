// Package scripts holds the tests of the shell scripts that can run
// without a network.
package scripts

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// osnadminUsage is what osnadmin 2.5 writes to stderr for --help (kingpin).
const osnadminUsage = `usage: osnadmin --orderer-address=ORDERER-ADDRESS [<flags>] <command> [<args> ...]

Orderer Service Node (OSN) administration

Flags:
      --help                     Show context-sensitive help (also try
                                 --help-long and --help-man).
  -o, --orderer-address=ORDERER-ADDRESS  
                                 Admin endpoint of the OSN

Commands:
  help [<command>...]
    Show help.

  channel join --channelID=CHANNELID --config-block=CONFIG-BLOCK
    Join an Ordering Service Node (OSN) to a channel. If the channel does not
    yet exist, it will be created.
`

// release writes into dir shell scripts that answer as the official
// release binaries do (Fabric's cmd/ sources, v2.5.0; Fabric CA 1.5.21):
// peer, orderer, configtxlator and fabric-ca-* print their version for
// `version`; configtxgen only for `-version` (given `version` it logs and
// tries to load a profile); osnadmin has no version at all and prints its
// usage to stderr for --help. versions overrides the version of a tool;
// a tool mapped to "" is left out.
func release(t *testing.T, dir string, versions map[string]string) {
	t.Helper()
	v := func(tool, def string) string {
		if s, ok := versions[tool]; ok {
			return s
		}
		return def
	}
	info := func(tool, version string, sha bool) string {
		s := tool + ":\n Version: " + version + "\n"
		if sha {
			s += " Commit SHA: 8a4c8f3\n"
		}
		s += " Go version: go1.20.3\n OS/Arch: linux/amd64\n"
		if tool == "peer" {
			s += " Chaincode:\n  Base Docker Label: org.hyperledger.fabric\n  Docker Namespace: hyperledger\n\n"
		}
		return s
	}
	unknown := func(tool string) string {
		return fmt.Sprintf("echo 'Error: unknown command \"'\"$1\"'\" for \"%s\"' >&2; exit 1\n", tool)
	}
	scripts := map[string]string{}
	for _, tool := range []string{"peer", "orderer", "configtxlator"} {
		if ver := v(tool, "2.5.0"); ver != "" {
			scripts[tool] = "if [ \"$1\" = version ]; then\ncat <<'END'\n" + info(tool, ver, true) + "END\nexit 0\nfi\n" + unknown(tool)
		}
	}
	for _, tool := range []string{"fabric-ca-server", "fabric-ca-client"} {
		if ver := v(tool, "1.5.21"); ver != "" {
			scripts[tool] = "if [ \"$1\" = version ]; then\ncat <<'END'\n" + info(tool, ver, false) + "END\nexit 0\nfi\n" + unknown(tool)
		}
	}
	if ver := v("configtxgen", "2.5.0"); ver != "" {
		scripts["configtxgen"] = "if [ \"$1\" = -version ]; then\ncat <<'END'\n" + info("configtxgen", ver, true) + "END\nexit 0\nfi\n" +
			"echo '2023-04-01 16:43:17.000 UTC 0001 INFO [common.tools.configtxgen] main -> Loading configuration' >&2\n"
	}
	if v("osnadmin", "present") != "" {
		scripts["osnadmin"] = "if [ \"$1\" = --help ]; then\ncat >&2 <<'END'\n" + osnadminUsage + "END\nexit 0\nfi\n" +
			"echo 'osnadmin: error: parsing arguments: expected command but got \"'\"$1\"'\". Try --help' >&2; exit 1\n"
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// run runs fabric-bin.sh with PATH = pathDir, then the system's tools,
// and FABRIC_BIN = fabricBin. A fake go in pathDir fails the test when the
// script tries to build. It returns the last line of stdout.
func run(t *testing.T, pathDir, fabricBin string) string {
	t.Helper()
	marker := filepath.Join(t.TempDir(), "go-called")
	goFake := "#!/bin/sh\necho \"$@\" >" + marker + "\necho 'fake go: no build in this test' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(pathDir, "go"), []byte(goFake), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "fabric-bin.sh")
	cmd.Env = []string{"PATH=" + pathDir + ":/usr/bin:/bin", "HOME=" + t.TempDir(), "FABRIC_BIN=" + fabricBin}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if b, rerr := os.ReadFile(marker); rerr == nil {
		t.Fatalf("fabric-bin.sh ran go %s; stderr:\n%s", b, stderr.String())
	}
	if err != nil {
		t.Fatalf("fabric-bin.sh: %v; stderr:\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	t.Logf("stderr:\n%s", stderr.String())
	return lines[len(lines)-1]
}

func TestFabricBinUsesReleaseBinariesOnPath(t *testing.T) {
	pathDir, fabricBin := t.TempDir(), t.TempDir()
	release(t, pathDir, nil)
	if got := run(t, pathDir, fabricBin); got != pathDir {
		t.Fatalf("fabric-bin.sh chose %q, want the release binaries in %q", got, pathDir)
	}
	if entries, _ := os.ReadDir(fabricBin); len(entries) != 0 {
		t.Fatalf("FABRIC_BIN has %d entries, want nothing built", len(entries))
	}
}

func TestFabricBinRefusesOldOrIncompleteRelease(t *testing.T) {
	for name, versions := range map[string]map[string]string{
		"peer 2.4":          {"peer": "2.4.9"},
		"orderer 2.4":       {"orderer": "v2.4.9"},
		"configtxgen 2.4":   {"configtxgen": "2.4.9"},
		"configtxlator 2.2": {"configtxlator": "2.2.15"},
		"fabric-ca 1.4":     {"fabric-ca-server": "1.4.9"},
		"no osnadmin":       {"osnadmin": ""},
		"no fabric-ca":      {"fabric-ca-client": ""},
	} {
		t.Run(name, func(t *testing.T) {
			pathDir, fabricBin := t.TempDir(), t.TempDir()
			release(t, pathDir, versions)
			// Binaries built before, so falling back builds nothing.
			release(t, fabricBin, nil)
			if got := run(t, pathDir, fabricBin); got != fabricBin {
				t.Fatalf("fabric-bin.sh chose %q, want the built binaries in %q", got, fabricBin)
			}
		})
	}
}
