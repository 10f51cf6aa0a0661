package network_test

// The rules docker-compose.yaml must keep, checked without Docker: the
// compose e2e suite proves the file runs; these catch an edit that would
// still run but publish a port beyond loopback, drop a health check, pin an
// image or hand one org's keys to another org's container.

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

type composeFile struct {
	Services map[string]struct {
		Image       string   `yaml:"image"`
		User        string   `yaml:"user"`
		Ports       []string `yaml:"ports"`
		Volumes     []string `yaml:"volumes"`
		Healthcheck struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

func loadCompose(t *testing.T) composeFile {
	b, err := os.ReadFile("../docker-compose.yaml")
	require.NoError(t, err)
	var f composeFile
	require.NoError(t, yaml.Unmarshal(b, &f))
	require.NotEmpty(t, f.Services)
	return f
}

var orgs = []string{"oem", "supplier", "dealer", "insurer"}

func TestComposeTopology(t *testing.T) {
	f := loadCompose(t)
	want := []string{"ca.orderer.autoledger", "orderer1.autoledger", "orderer2.autoledger", "orderer3.autoledger"}
	for _, o := range orgs {
		want = append(want, "ca."+o+".autoledger", "peer0."+o+".autoledger", "autoledger-cc."+o+".autoledger", "gateway."+o+".autoledger")
	}
	for _, s := range want {
		assert.Contains(t, f.Services, s)
	}
	assert.Len(t, f.Services, len(want), "a service was added: add it to this list and to docs/operations.md")
}

func TestComposePublishesOnLoopbackOnly(t *testing.T) {
	for name, s := range loadCompose(t).Services {
		for _, p := range s.Ports {
			assert.True(t, strings.HasPrefix(p, "127.0.0.1:"), "%s publishes %q beyond loopback", name, p)
		}
	}
}

func TestComposeEveryServiceHasAHealthCheck(t *testing.T) {
	for name, s := range loadCompose(t).Services {
		require.NotEmpty(t, s.Healthcheck.Test, name)
		assert.Equal(t, []string{"CMD", "/opt/autoledger/bin/probe"}, s.Healthcheck.Test[:2],
			"%s: the probe works in scratch and official images alike", name)
		assert.Contains(t, s.Volumes, "${AUTOLEDGER_RUN_DIR:?run network.sh --compose}/compose/bin/probe:/opt/autoledger/bin/probe:ro", name)
	}
}

func TestComposeImagesAreParameterised(t *testing.T) {
	for name, s := range loadCompose(t).Services {
		switch {
		case strings.HasPrefix(s.Image, "hyperledger/fabric-ca:"):
			assert.Equal(t, "hyperledger/fabric-ca:${FABRIC_CA_VERSION:-1.5}", s.Image, name)
		case strings.HasPrefix(s.Image, "hyperledger/"):
			assert.Regexp(t, `^hyperledger/fabric-(peer|orderer):\$\{FABRIC_VERSION:-2\.5\}$`, s.Image, name)
		default:
			assert.Regexp(t, `^autoledger-(chaincode|gateway):`, s.Image, name)
			assert.NotEmpty(t, s.User, "%s: our images run as a non-root user", name)
		}
	}
}

// State lives in named volumes, so down keeps it and clean (down -v) removes it.
func TestComposeStateIsInNamedVolumes(t *testing.T) {
	f := loadCompose(t)
	state := map[string]string{"ca.": "/etc/hyperledger/fabric-ca-server", "orderer": "/var/hyperledger/production",
		"peer0.": "/var/hyperledger/production", "gateway.": "/data"}
	for name, s := range f.Services {
		for prefix, dir := range state {
			if !strings.HasPrefix(name, prefix) {
				continue
			}
			found := false
			for _, v := range s.Volumes {
				src, dst, _ := strings.Cut(v, ":")
				if dst == dir {
					found = true
					assert.Contains(t, f.Volumes, src, "%s: %s must be a named volume", name, dir)
				}
			}
			assert.True(t, found, "%s has no volume for %s", name, dir)
		}
	}
}

// A gateway, chaincode server or peer mounts only its own org's key material.
func TestComposeContainersMountOnlyTheirOrgsKeys(t *testing.T) {
	orgDir := regexp.MustCompile(`/orgs/([a-z]+)/`)
	for name, s := range loadCompose(t).Services {
		own := ""
		for _, o := range append([]string{"orderer"}, orgs...) {
			if strings.Contains(name, "."+o+".") || (o == "orderer" && strings.HasPrefix(name, "orderer")) {
				own = o
			}
		}
		require.NotEmpty(t, own, name)
		for _, v := range s.Volumes {
			for _, m := range orgDir.FindAllStringSubmatch(v, -1) {
				assert.Equal(t, own, m[1], "%s mounts %s", name, v)
			}
		}
	}
}
