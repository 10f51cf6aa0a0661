# shellcheck shell=bash
# shellcheck disable=SC2034 # the topology is read by the scripts that source this file
# Topology, paths and process handling shared by network.sh's commands.
# The topology lives here and only here: adding a peer is one line in PEERS.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# MODE is native (processes on 127.0.0.1) or compose (containers, network.sh --compose). Both
# publish the same ports on 127.0.0.1, so every step run from the host (enrolment, channel,
# deploy, status) is the same code for both; only starting, stopping and the names nodes give
# each other differ.
MODE=${AUTOLEDGER_MODE:-native}
if [[ $MODE == compose ]]; then
	RUN=${AUTOLEDGER_RUN_DIR:-$ROOT/test-network/compose-run}
else
	RUN=${AUTOLEDGER_RUN_DIR:-$ROOT/test-network/run}
fi
RUN=$(realpath -m "$RUN") # containers mount from it by absolute path
# What the network writes is readable by its owner only: logs, CA homes and databases, keys and
# enrolment secrets (docs/operations.md, "Secrets on the host"). What a container running as
# another user must read is opened up on purpose (compose.sh: share_with_containers).
umask 077
CHANNEL=autoledger
CHAINCODE=autoledger

# Orgs: short name, MSP ID, CA port. "orderer" is the ordering service's org.
ORGS=(oem supplier dealer insurer)
declare -A MSP=([orderer]=OrdererMSP [oem]=OemMSP [supplier]=SupplierMSP [dealer]=DealerMSP [insurer]=InsurerMSP)
declare -A CA_PORT=([orderer]=7054 [oem]=7154 [supplier]=7254 [dealer]=7354 [insurer]=7454)
# Roles a user is enrolled for (Fabric CA attribute role, in the certificate).
declare -A ROLES=(
	[oem]="production telematics quality finance admin owner-services"
	[supplier]="production logistics finance admin"
	[dealer]="sales service finance admin owner-services"
	[insurer]="claims underwriting admin owner-services"
)
# Peers: org name port chaincode-port operations-port. A second peer of an org is one more line.
PEERS=(
	"oem peer0 7051 7052 9441"
	"supplier peer0 8051 8052 9442"
	"dealer peer0 9051 9052 9443"
	"insurer peer0 10051 10052 9444"
)
# Orderers: name port admin-port operations-port.
ORDERERS=(
	"orderer1 7050 7053 8441"
	"orderer2 7060 7063 8442"
	"orderer3 7070 7073 8443"
)
# Chaincode servers: chaincode org port. Each org's peer talks to its own server.
CC_SERVERS=(
	"autoledger oem 9991" "autoledger supplier 9992" "autoledger dealer 9993" "autoledger insurer 9994"
	"conformance oem 9995" "conformance supplier 9996" "conformance dealer 9997" "conformance insurer 9998"
)
# Block cutting (see docs/operations.md for the measurement behind these values).
BATCH_TIMEOUT=${AUTOLEDGER_BATCH_TIMEOUT:-20ms}
BATCH_MAX_COUNT=${AUTOLEDGER_BATCH_MAX_COUNT:-100}
START_TIMEOUT=${AUTOLEDGER_START_TIMEOUT:-60}

# DOMAIN names the containers on the compose network; node certificates carry these names too.
DOMAIN=autoledger

# node_host KIND NAME ORG: the host name of a node's container (and a SAN of its TLS certificate).
node_host() {
	case $1 in
	ca) echo "ca.$3.$DOMAIN" ;;
	orderer) echo "$2.$DOMAIN" ;;
	peer) echo "$2.$3.$DOMAIN" ;;
	chaincode) echo "$2-cc.$3.$DOMAIN" ;;
	gateway) echo "gateway.$3.$DOMAIN" ;;
	*) die "node_host: unknown kind $1" ;;
	esac
}

# advertised KIND NAME ORG: the host other nodes dial: 127.0.0.1 natively, the container's name in compose.
advertised() {
	if [[ $MODE == compose ]]; then node_host "$@"; else echo 127.0.0.1; fi
}

log() { printf '[network] %s\n' "$*" >&2; }
die() {
	printf '[network] error: %s\n' "$*" >&2
	exit 1
}

# private_run_dir: the run directory, its logs and its CA material owner-only, also when an
# earlier version made them readable to all; from such a version's logs it removes the lines
# that carried secrets (the CA server's settings dump printed -b's user:pass, fabric-ca-client
# register printed the secret).
private_run_dir() {
	local d f
	mkdir -p "$RUN/logs"
	chmod 700 "$RUN"
	for d in logs ca ca-admin; do
		[[ -d $RUN/$d ]] && chmod -R go= "$RUN/$d"
	done
	for f in "$RUN"/logs/ca-*.log "$RUN"/logs/enroll-*.log; do
		[[ -f $f ]] && grep -qE '^(boot: |Password: )' "$f" && sed -i -E '/^(boot: |Password: )/d' "$f"
	done
	return 0
}

orgdir() { echo "$RUN/orgs/$1"; }
logfile() { echo "$RUN/logs/$1.log"; }
pidfile() { echo "$RUN/pids/$1.pid"; }

# fabric_bin puts the Fabric binaries on PATH, building them when needed.
fabric_bin() {
	if [[ -z ${FABRIC_BIN_DIR:-} ]]; then
		FABRIC_BIN_DIR=$("$ROOT/test-network/scripts/fabric-bin.sh" | tail -n 1)
		export FABRIC_BIN_DIR
	fi
	case ":$PATH:" in *":$FABRIC_BIN_DIR:"*) ;; *) export PATH="$FABRIC_BIN_DIR:$PATH" ;; esac
	# The peer CLI reads core.yaml even for offline commands.
	export FABRIC_CFG_PATH=$RUN/config/peer
}

running() { # running NODE: its recorded process (natively) or its container (compose) is running
	if [[ $MODE == compose ]]; then
		[[ $(docker inspect -f '{{.State.Running}}' "$(container_of "$1")" 2>/dev/null) == true ]]
		return
	fi
	local pf
	pf=$(pidfile "$1")
	[[ -f $pf ]] && kill -0 "$(cat "$pf")" 2>/dev/null
}

# container_of NODE: the container of a node as status names it (ca-oem, orderer1, peer0.oem, cc-autoledger-oem).
container_of() {
	local n=$1
	case $n in
	ca-*) node_host ca "" "${n#ca-}" ;;
	cc-*)
		n=${n#cc-}
		node_host chaincode "${n%-*}" "${n##*-}"
		;;
	gateway-*) node_host gateway "" "${n#gateway-}" ;;
	*.*) node_host peer "${n%%.*}" "${n#*.}" ;;
	*) node_host orderer "$n" ;;
	esac
}

# node_log_tail NODE: the end of a node's log, for error messages.
node_log_tail() {
	if [[ $MODE == compose ]]; then
		docker logs --tail 20 "$(container_of "$1")" 2>&1 || true
	else
		tail -n 20 "$(logfile "$1")" 2>/dev/null || true
	fi
}

node_log_name() { # where to read a node's log
	if [[ $MODE == compose ]]; then echo "docker logs $(container_of "$1")"; else logfile "$1"; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_free() { # check_free NODE PORT...: dies naming the first port in use
	local node=$1 p
	shift
	for p in "$@"; do
		if port_open "$p"; then
			die "port $p (needed by $node) is already in use by another process: stop it or change the port in test-network/scripts/common.sh"
		fi
	done
}

# start NODE PORT... -- COMMAND...: refuses ports already in use, starts COMMAND in the
# background with its output in the node's log, and records its process ID.
start() {
	local node=$1
	shift
	local ports=()
	while [[ $1 != -- ]]; do
		ports+=("$1")
		shift
	done
	shift
	if running "$node"; then
		return 0
	fi
	check_free "$node" "${ports[@]}"
	mkdir -p "$RUN/logs" "$RUN/pids"
	setsid "$@" >>"$(logfile "$node")" 2>&1 </dev/null &
	echo $! >"$(pidfile "$node")"
}

# stop NODE: ends the recorded process (ours only) and waits for it to go.
stop() {
	local pf pid i
	pf=$(pidfile "$1")
	[[ -f $pf ]] || return 0
	pid=$(cat "$pf")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$pf"
}

# wait_for NODE DESCRIPTION COMMAND...: retries COMMAND until it succeeds or START_TIMEOUT passes.
wait_for() {
	local node=$1 what=$2
	shift 2
	local deadline=$((SECONDS + START_TIMEOUT))
	until "$@" >/dev/null 2>&1; do
		if ! running "$node"; then
			node_log_tail "$node" >&2
			die "$node exited while waiting for $what; log: $(node_log_name "$node")"
		fi
		if ((SECONDS >= deadline)); then
			node_log_tail "$node" >&2
			die "$node: no $what after ${START_TIMEOUT}s; log: $(node_log_name "$node")"
		fi
		sleep 0.2
	done
}

# healthz URL ORG: the operations endpoint answers OK. It is mutual TLS, so the org admin's TLS
# client certificate is presented.
healthz() {
	local d
	d=$(orgdir "$2")
	curl -sf --max-time 2 --cacert "$d/ca.pem" --cert "$d/users/orgadmin/tls/client.crt" \
		--key "$d/users/orgadmin/tls/client.key" "$1" | grep -q '"status":"OK"'
}
