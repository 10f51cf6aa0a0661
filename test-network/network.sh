#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The AutoLedger test network: a real four-org Fabric network on 127.0.0.1, as processes
# (default) or as containers of docker-compose.yaml (--compose, before the command).
#
#   network.sh up              start CAs, orderers and peers (and gateways with --compose);
#                              create the channel (idempotent); with chaincode deployed, return
#                              when a write of every org can be endorsed
#   network.sh deploy [CC]     deploy or upgrade chaincode CC (default autoledger; natively also:
#                              conformance)
#   network.sh status          each node and its health; exits non-zero when one is down
#   network.sh env ORG [ROLE]  exports for the peer CLI or a client as ORG's admin or ROLE user
#   network.sh logs NODE [-f]  a node's log (NODE as status names it)
#   network.sh down            stop every node of the network, keep its data
#   network.sh clean           down, then remove all data (with --compose: every container and
#                              volume of compose project autoledger, whichever run directory made them)
#
# All state lives in one run directory: $AUTOLEDGER_RUN_DIR (default test-network/run, or
# test-network/compose-run with --compose, whose ledgers are Docker volumes labelled with the run
# directory's run id; up refuses volumes of another run directory).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ ${1:-} == --compose ]]; then
	export AUTOLEDGER_MODE=compose
	shift
fi
# shellcheck source=scripts/common.sh
source "$here/scripts/common.sh"
# shellcheck source=scripts/crypto.sh
source "$here/scripts/crypto.sh"
# shellcheck source=scripts/nodes.sh
source "$here/scripts/nodes.sh"
# shellcheck source=scripts/deploy.sh
source "$here/scripts/deploy.sh"
# shellcheck source=scripts/compose.sh
source "$here/scripts/compose.sh"

all_orgs=(orderer "${ORGS[@]}")

write_connection_file() {
	local org line o name port args=() peer_list
	mkdir -p "$RUN/bin"
	(cd "$ROOT" && go build -o "$RUN/bin/connfile" ./network/cmd/connfile) || die "building connfile failed"
	for org in "${ORGS[@]}"; do
		peer_list=""
		for line in "${PEERS[@]}"; do
			read -r o name port _ <<<"$line"
			[[ $o == "$org" ]] && peer_list+="${peer_list:+,}$name=127.0.0.1:$port"
		done
		args+=(-org "$org ${MSP[$org]} 127.0.0.1:${CA_PORT[$org]} $peer_list")
	done
	"$RUN/bin/connfile" -run "$RUN" -out "$RUN/connection.json" -channel "$CHANNEL" -chaincode "$CHAINCODE" "${args[@]}"
}

# preflight: every port a stopped node needs is free, checked before anything starts.
# In compose only what the containers publish is checked, after the Docker engine, the images
# and whether the project's volumes belong to this run directory.
preflight() {
	local org line name port admin ops cc
	if [[ $MODE == compose ]]; then
		compose_check
		compose_volumes_ours
	fi
	for org in "${all_orgs[@]}"; do
		if [[ $MODE == compose ]]; then
			running "ca-$org" || check_free "ca-$org" "${CA_PORT[$org]}"
		else
			running "ca-$org" || check_free "ca-$org" "${CA_PORT[$org]}" $((CA_PORT[$org] + 10000))
		fi
	done
	for line in "${ORDERERS[@]}"; do
		read -r name port admin ops <<<"$line"
		running "$name" || check_free "$name" "$port" "$admin" "$ops"
	done
	for line in "${PEERS[@]}"; do
		read -r org name port cc ops <<<"$line"
		if [[ $MODE == compose ]]; then
			running "$name.$org" || check_free "$name.$org" "$port" "$ops"
		else
			running "$name.$org" || check_free "$name.$org" "$port" "$cc" "$ops"
		fi
	done
	if [[ $MODE == compose ]]; then
		for org in "${ORGS[@]}"; do
			running "gateway-$org" || check_free "gateway-$org" "${GATEWAY_PORT[$org]}"
		done
		return 0
	fi
	for line in "${CC_SERVERS[@]}"; do
		read -r cc org port <<<"$line"
		[[ -f $RUN/chaincode/$cc/$org.pkgid ]] || continue
		running "cc-$cc-$org" || check_free "cc-$cc-$org" "$port"
	done
}

cmd_up() {
	local t0=$SECONDS org line name port admin ops cc pids=() failed=0
	preflight
	fabric_bin
	mkdir -p "$RUN/logs" "$RUN/pids"
	# The peer CLI's configuration; natively also the peers'.
	render "$ROOT/network/peer/core.yaml" "$RUN/config/peer/core.yaml"
	if [[ $MODE == compose ]]; then
		compose_prepare
		compose_start ca
	else
		build_builder
		for org in "${all_orgs[@]}"; do start_ca "$org"; done
	fi
	for org in "${all_orgs[@]}"; do wait_ca "$org"; done
	log "CAs ready; enrolling identities"
	for org in "${all_orgs[@]}"; do
		enroll_org "$org" &
		pids+=($!)
	done
	# Every job is waited for, so that none still writes after the failure is reported.
	for p in "${pids[@]}"; do wait "$p" || failed=1; done
	((failed == 0)) || die "enrolment failed (see $RUN/logs/enroll-*.log)"
	if [[ $MODE == compose ]]; then
		gateway_configs
		share_with_containers
		compose_start orderer peer
	else
		for line in "${ORDERERS[@]}"; do
			read -r name port admin ops <<<"$line"
			start_orderer "$name" "$port" "$admin" "$ops"
		done
		for line in "${PEERS[@]}"; do
			read -r org name port cc ops <<<"$line"
			start_peer "$org" "$name" "$port" "$cc" "$ops"
		done
	fi
	for line in "${ORDERERS[@]}"; do
		read -r name _ _ ops <<<"$line"
		wait_for "$name" "health on :$ops" healthz "https://127.0.0.1:$ops/healthz" orderer
	done
	for line in "${PEERS[@]}"; do
		read -r org name _ _ ops <<<"$line"
		wait_for "$name.$org" "health on :$ops" healthz "https://127.0.0.1:$ops/healthz" "$org"
	done
	create_channel
	join_peers
	set_anchor_peers
	write_connection_file
	if [[ $MODE == compose ]]; then
		[[ -f $RUN/chaincode/$CHAINCODE/oem.pkgid ]] && compose_start chaincode
		compose_start gateway
		wait_deployed_writable
		log "network up in $((SECONDS - t0))s: channel $CHANNEL, gateways and their keys in $RUN/gateways.env"
		return 0
	fi
	restart_cc_servers
	wait_deployed_writable
	log "network up in $((SECONDS - t0))s: channel $CHANNEL, connection file $RUN/connection.json"
}

cmd_deploy() {
	fabric_bin
	local cc=${1:-$CHAINCODE}
	[[ $MODE == native || $cc == "$CHAINCODE" ]] || die "the compose network runs chaincode $CHAINCODE only (one chaincode container per org)"
	[[ -x $here/../chaincode/cmd/$cc-cc || -d $ROOT/chaincode/cmd/$cc-cc ]] || die "unknown chaincode $cc (no chaincode/cmd/$cc-cc)"
	deploy_chaincode "$cc"
}

# nodes prints every node: NAME KIND CHECK-ARGS.
cmd_status() {
	local bad=0 org line name ops cc port state nodes=()
	if [[ $MODE == compose ]]; then
		for org in "${all_orgs[@]}"; do nodes+=("ca-$org"); done
		for line in "${ORDERERS[@]}"; do read -r name _ <<<"$line" && nodes+=("$name"); done
		for line in "${PEERS[@]}"; do read -r org name _ <<<"$line" && nodes+=("$name.$org"); done
		for org in "${ORGS[@]}"; do
			[[ -f $RUN/chaincode/$CHAINCODE/$org.pkgid ]] && nodes+=("cc-$CHAINCODE-$org")
		done
		for org in "${ORGS[@]}"; do nodes+=("gateway-$org"); done
		compose_status "${nodes[@]}"
		return
	fi
	check() { # check NAME ENDPOINT COMMAND...
		local n=$1 ep=$2
		shift 2
		if running "$n" && "$@" >/dev/null 2>&1; then state=up; else
			state=DOWN
			bad=1
		fi
		printf '%-26s %-5s %-24s %s\n' "$n" "$state" "$ep" "$(logfile "$n")"
	}
	printf '%-26s %-5s %-24s %s\n' NODE STATE ENDPOINT LOG
	for org in "${all_orgs[@]}"; do
		check "ca-$org" "127.0.0.1:${CA_PORT[$org]}" ca_ready "$org"
	done
	for line in "${ORDERERS[@]}"; do
		read -r name port _ ops <<<"$line"
		check "$name" "127.0.0.1:$port" healthz "https://127.0.0.1:$ops/healthz" orderer
	done
	for line in "${PEERS[@]}"; do
		read -r org name port _ ops <<<"$line"
		check "$name.$org" "127.0.0.1:$port" healthz "https://127.0.0.1:$ops/healthz" "$org"
	done
	for line in "${CC_SERVERS[@]}"; do
		read -r cc org port <<<"$line"
		[[ -f $RUN/chaincode/$cc/$org.pkgid ]] || continue
		check "cc-$cc-$org" "127.0.0.1:$port" port_open "$port"
	done
	return "$bad"
}

cmd_env() {
	local org=${1:-} role=${2:-orgadmin} dir
	[[ -n $org && -n ${MSP[$org]:-} && $org != orderer ]] || die "usage: network.sh env ORG [ROLE]; ORG is one of: ${ORGS[*]}"
	dir=$(orgdir "$org")
	[[ -d $dir/users/$role ]] || die "no user $role in $org; roles: orgadmin ${ROLES[$org]}"
	fabric_bin >/dev/null
	as_admin "$org"
	cat <<-ENV
		export PATH="$FABRIC_BIN_DIR:\$PATH"
		export FABRIC_CFG_PATH="$FABRIC_CFG_PATH"
		export CORE_PEER_LOCALMSPID="$CORE_PEER_LOCALMSPID"
		export CORE_PEER_MSPCONFIGPATH="$dir/users/$role/msp"
		export CORE_PEER_ADDRESS="$CORE_PEER_ADDRESS"
		export CORE_PEER_TLS_ENABLED=true
		export CORE_PEER_TLS_ROOTCERT_FILE="$CORE_PEER_TLS_ROOTCERT_FILE"
		export CORE_PEER_TLS_CLIENTAUTHREQUIRED=true
		export CORE_PEER_TLS_CLIENTCERT_FILE="$CORE_PEER_TLS_CLIENTCERT_FILE"
		export CORE_PEER_TLS_CLIENTKEY_FILE="$CORE_PEER_TLS_CLIENTKEY_FILE"
		export ORDERER_ADDRESS=127.0.0.1:7050
		export ORDERER_CA="$(orgdir orderer)/ca.pem"
		export AUTOLEDGER_CONNECTION_FILE="$RUN/connection.json"
	ENV
}

cmd_logs() {
	local node=${1:-} f
	[[ -n $node ]] || die "usage: network.sh logs NODE [-f]; nodes are listed by network.sh status"
	if [[ $MODE == compose ]]; then
		docker inspect "$(container_of "$node")" >/dev/null 2>&1 ||
			die "no container for $node; nodes are listed by network.sh --compose status"
		# Fabric logs to stderr; merged so that the output pipes like the native log file.
		if [[ ${2:-} == -f ]]; then docker logs -n 100 -f "$(container_of "$node")" 2>&1; else docker logs -n 200 "$(container_of "$node")" 2>&1; fi
		return
	fi
	f=$(logfile "$node")
	[[ -f $f ]] || die "no log for $node at $f"
	if [[ ${2:-} == -f ]]; then tail -n 100 -f "$f"; else tail -n 200 "$f"; fi
}

cmd_down() {
	local line cc org name
	if [[ $MODE == compose ]]; then
		compose_down
		return 0
	fi
	for line in "${CC_SERVERS[@]}"; do
		read -r cc org _ <<<"$line"
		stop "cc-$cc-$org"
	done
	for line in "${PEERS[@]}"; do
		read -r org name _ <<<"$line"
		stop "$name.$org"
	done
	for line in "${ORDERERS[@]}"; do
		read -r name _ <<<"$line"
		stop "$name"
	done
	for org in "${all_orgs[@]}"; do stop "ca-$org"; done
	log "network stopped; data kept in $RUN"
}

cmd_clean() {
	if [[ $MODE == compose ]]; then
		# The whole project, not only this run directory's: the volumes to remove may have been
		# made by a run directory that no longer exists (up refuses them and points here).
		compose_clean
	else
		cmd_down
	fi
	rm -rf "$RUN"
	log "removed $RUN"
}

main() {
	local cmd=${1:-}
	shift || true
	case $cmd in
	up) cmd_up ;;
	deploy) cmd_deploy "$@" ;;
	status) cmd_status ;;
	env) cmd_env "$@" ;;
	logs) cmd_logs "$@" ;;
	down) cmd_down ;;
	clean) cmd_clean ;;
	*)
		sed -n '3,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
		[[ -z $cmd || $cmd == help || $cmd == -h ]] || exit 2
		;;
	esac
}

main "$@"
