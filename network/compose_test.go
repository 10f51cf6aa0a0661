package network_test

// The rules docker-compose.yaml must keep, checked without Docker: the
// compose e2e suite proves the file runs; these catch an edit that would
// still run but publish a port beyond loopback, drop a health check, pin an
// image or hand one org's keys to another org's container.

import (
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/autoledger/autoledger/network/topology"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

type composeService struct {
	Image         string            `yaml:"image"`
	User          string            `yaml:"user"`
	ContainerName string            `yaml:"container_name"`
	Command       []string          `yaml:"command"`
	Environment   map[string]string `yaml:"environment"`
	Ports         []string          `yaml:"ports"`
	Volumes       []string          `yaml:"volumes"`
	DependsOn     map[string]any    `yaml:"depends_on"`
	Healthcheck   struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
}

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

func loadCompose(t *testing.T) composeFile {
	b, err := os.ReadFile("../docker-compose.yaml")
	require.NoError(t, err)
	var f composeFile
	require.NoError(t, yaml.Unmarshal(b, &f))
	require.NotEmpty(t, f.Services)
	return f
}

// orgs are the short names of the orgs with containers: the ordering
// service's and the application orgs.
func orgs() []string {
	names := []string{topology.Ordering.Name}
	for _, o := range topology.Orgs {
		names = append(names, o.Name)
	}
	return names
}

// runDir is how the compose file names the run directory.
const runDir = "${AUTOLEDGER_RUN_DIR:?run network.sh --compose}"

// wantService is what the topology says of one service.
type wantService struct {
	ports  []string
	env    map[string]string
	health string // a fragment of the health check command
	// mounts are volume entries the service must have; state the named volume of its state.
	mounts    []string
	state     string
	command   string // a fragment of the command
	dependsOn string
}

func published(ports ...int) []string {
	ps := make([]string, len(ports))
	for i, p := range ports {
		ps[i] = fmt.Sprintf("127.0.0.1:%d:%d", p, p)
	}
	return ps
}

// tlscaConfig is where a CA container reads its TLS CA's configuration.
const tlscaConfig = "/etc/hyperledger/fabric-ca-server/tlsca/fabric-ca-server-config.yaml"

func caService(org string, port int) wantService {
	host := topology.CAHost(org)
	return wantService{
		ports: published(port),
		env: map[string]string{"FABRIC_CA_SERVER_PORT": strconv.Itoa(port), "FABRIC_CA_SERVER_CA_NAME": "ca-" + org,
			"FABRIC_CA_SERVER_CSR_CN": host, "FABRIC_CA_SERVER_CSR_HOSTS": host + ",127.0.0.1,localhost",
			"FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS": fmt.Sprintf("127.0.0.1:%d", port+topology.CAOperationsOffset)},
		health: fmt.Sprintf("-url https://127.0.0.1:%d/cainfo", port),
		state:  "ca-" + org,
		// The server's configuration names the bootstrap admin and its password, which are
		// neither in the command nor in the environment (docker inspect shows both); the org's
		// TLS CA is a second CA of the same server (test-network/scripts/crypto.sh).
		mounts: []string{runDir + "/ca/" + org + "/fabric-ca-server-config.yaml:/etc/hyperledger/fabric-ca-server/fabric-ca-server-config.yaml:ro",
			runDir + "/ca/" + org + "/tlsca/fabric-ca-server-config.yaml:" + tlscaConfig + ":ro"},
		command: "start --cafiles " + tlscaConfig,
	}
}

// topologyServices is every service the topology asks docker-compose.yaml for.
func topologyServices() map[string]wantService {
	want := map[string]wantService{}
	o := topology.Ordering
	want[topology.CAHost(o.Name)] = caService(o.Name, o.CAPort)
	for _, n := range o.Orderers {
		want[topology.OrdererHost(n.Name)] = wantService{
			ports: published(n.Port, n.AdminPort, n.OperationsPort),
			env: map[string]string{"ORDERER_GENERAL_LISTENPORT": strconv.Itoa(n.Port),
				"ORDERER_ADMIN_LISTENADDRESS":      fmt.Sprintf("0.0.0.0:%d", n.AdminPort),
				"ORDERER_OPERATIONS_LISTENADDRESS": fmt.Sprintf("0.0.0.0:%d", n.OperationsPort)},
			health: fmt.Sprintf("-url https://127.0.0.1:%d/healthz", n.OperationsPort),
			mounts: []string{fmt.Sprintf("%s/orgs/%s/orderers/%s:/etc/autoledger/node:ro", runDir, o.Name, n.Name)},
			state:  n.Name,
		}
	}
	for _, org := range topology.Orgs {
		want[topology.CAHost(org.Name)] = caService(org.Name, org.CAPort)
		anchor := org.PeerEndpoint(org.Peers[0], topology.Compose)
		for _, p := range org.Peers {
			want[topology.PeerHost(org.Name, p.Name)] = wantService{
				ports: published(p.Port, p.OperationsPort),
				env: map[string]string{"CORE_PEER_ID": p.Name + "." + org.Name, "CORE_PEER_LOCALMSPID": org.MSPID,
					"CORE_PEER_LISTENADDRESS":           fmt.Sprintf("0.0.0.0:%d", p.Port),
					"CORE_PEER_ADDRESS":                 org.PeerEndpoint(p, topology.Compose),
					"CORE_PEER_CHAINCODELISTENADDRESS":  fmt.Sprintf("0.0.0.0:%d", p.ChaincodePort),
					"CORE_PEER_GOSSIP_BOOTSTRAP":        anchor,
					"CORE_PEER_GOSSIP_EXTERNALENDPOINT": org.PeerEndpoint(p, topology.Compose),
					"CORE_OPERATIONS_LISTENADDRESS":     fmt.Sprintf("0.0.0.0:%d", p.OperationsPort)},
				health: fmt.Sprintf("-url https://127.0.0.1:%d/healthz", p.OperationsPort),
				mounts: []string{fmt.Sprintf("%s/orgs/%s/peers/%s:/etc/autoledger/node:ro", runDir, org.Name, p.Name)},
				state:  p.Name + "-" + org.Name,
			}
		}
		// Only the product chaincode runs in compose; the conformance suite runs natively.
		cc := org.ChaincodePorts[topology.Chaincode]
		want[topology.ChaincodeHost(topology.Chaincode, org.Name)] = wantService{
			env: map[string]string{"CHAINCODE_SERVER_ADDRESS": fmt.Sprintf("0.0.0.0:%d", cc),
				"CORE_CHAINCODE_ID_NAME": fmt.Sprintf("${CC_ID_%s:-not-deployed}", strings.ToUpper(org.Name))},
			health: fmt.Sprintf("-tcp 127.0.0.1:%d", cc),
			mounts: []string{fmt.Sprintf("%s/orgs/%s/chaincode/server:/etc/autoledger/tls:ro", runDir, org.Name)},
		}
		want[topology.GatewayHost(org.Name)] = wantService{
			ports:     []string{fmt.Sprintf("127.0.0.1:%d:8080", org.GatewayPort)},
			health:    "-url https://127.0.0.1:8080/healthz -cacert /etc/autoledger/gateway/tls/ca.crt",
			mounts:    []string{fmt.Sprintf("%s/compose/gateways/%s:/etc/autoledger/gateway:ro", runDir, org.Name)},
			state:     "gateway-" + org.Name,
			dependsOn: topology.PeerHost(org.Name, org.Peers[0].Name),
		}
	}
	return want
}

func TestComposeTopology(t *testing.T) {
	f := loadCompose(t)
	want := topologyServices()
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if _, ok := f.Services[name]; !ok {
			t.Errorf("docker-compose.yaml has no service %s, which network/topology asks for", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(f.Services)) {
		if _, ok := want[name]; !ok {
			t.Errorf("docker-compose.yaml has a service %s that network/topology does not describe: add it there and to docs/operations.md", name)
		}
	}
}

// Each service publishes, listens on and is probed at the topology's
// ports, under the topology's names, and keeps its state in its own volume.
func TestComposeServicesMatchTopology(t *testing.T) {
	f := loadCompose(t)
	var volumes []string
	for name, w := range topologyServices() {
		s, ok := f.Services[name]
		if !ok {
			continue // TestComposeTopology reports it
		}
		assert.Equal(t, name, s.ContainerName, "%s: container_name", name)
		assert.ElementsMatch(t, w.ports, s.Ports, "%s: published ports", name)
		for k, v := range w.env {
			assert.Equal(t, v, s.Environment[k], "%s: environment %s", name, k)
		}
		assert.Contains(t, strings.Join(s.Healthcheck.Test, " "), w.health, "%s: health check", name)
		for _, m := range w.mounts {
			assert.Contains(t, s.Volumes, m, "%s: volumes", name)
		}
		if w.state != "" {
			volumes = append(volumes, w.state)
			found := slices.ContainsFunc(s.Volumes, func(v string) bool { return strings.HasPrefix(v, w.state+":") })
			assert.True(t, found, "%s: state in named volume %s", name, w.state)
		}
		if w.command != "" {
			assert.Contains(t, strings.Join(s.Command, " "), w.command, "%s: command", name)
		}
		if w.dependsOn != "" {
			assert.Contains(t, s.DependsOn, w.dependsOn, "%s: depends_on", name)
		}
	}
	assert.ElementsMatch(t, volumes, slices.Collect(maps.Keys(f.Volumes)), "named volumes of docker-compose.yaml")
}

// A CA's bootstrap password is in its mounted configuration file, never in
// its command or environment, which docker inspect shows to every Docker user.
func TestComposeCAsGetNoPasswordInCommandOrEnvironment(t *testing.T) {
	for name, s := range loadCompose(t).Services {
		if !strings.HasPrefix(name, "ca.") {
			continue
		}
		for _, a := range s.Command {
			assert.NotContains(t, []string{"-b", "--boot"}, a, "%s: command", name)
			assert.NotContains(t, a, "admin:", "%s: command", name)
		}
		for k, v := range s.Environment {
			assert.NotContains(t, k, "BOOT", "%s: environment", name)
			assert.NotContains(t, v, "CA_PW", "%s: environment %s", name, k)
		}
	}
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
		for _, o := range orgs() {
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
