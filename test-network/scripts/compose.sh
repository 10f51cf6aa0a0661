# shellcheck shell=bash
# The compose network (network.sh --compose): the native network's nodes as containers of
# docker-compose.yaml, plus one REST gateway per org. The containers publish the native ports on
# 127.0.0.1, so enrolment, channel creation, deployment and health checks are the native steps,
# run from the host; this file only starts, stops and feeds the containers.

FABRIC_VERSION=${FABRIC_VERSION:-2.5}
FABRIC_CA_VERSION=${FABRIC_CA_VERSION:-1.5}
# Our images run as this user; the key material they mount is made readable to it.
CONTAINER_UID=10001
# Each org's gateway, published on 127.0.0.1 (the container listens on 8080).
declare -A GATEWAY_PORT=([oem]=8081 [supplier]=8082 [dealer]=8083 [insurer]=8084)
# The compose project: docker compose prefixes volume names with it (autoledger_peer0-oem) and
# labels everything it creates with it, which is how clean finds them without a run directory.
PROJECT=autoledger
PROJECT_LABEL=com.docker.compose.project=$PROJECT
# The volumes' CA databases and ledgers only work with the key material, CA bootstrap passwords
# and enrolment secrets of the run directory that made them. Each run directory gets a run id on
# its first up; docker-compose.yaml labels every volume with it and with the run directory's path,
# and up refuses volumes that carry another one.
RUN_ID_LABEL=org.autoledger.run-id
RUN_DIR_LABEL=org.autoledger.run-dir

# compose ARGS...: docker compose (or the older docker-compose) on our file and env file.
# Callers check the run id first (no_run_id): compose's own complaint would land in their log.
compose() {
	if [[ -z ${COMPOSE_CMD:-} ]]; then
		if docker compose version >/dev/null 2>&1; then COMPOSE_CMD="docker compose"; else COMPOSE_CMD=docker-compose; fi
	fi
	# The shell's environment wins over --env-file in compose: pin the absolute run directory
	# and its run id, which label the volumes.
	# shellcheck disable=SC2086 # COMPOSE_CMD is one or two words
	AUTOLEDGER_RUN_DIR=$RUN AUTOLEDGER_RUN_ID=$(run_id) $COMPOSE_CMD -p "$PROJECT" -f "$ROOT/docker-compose.yaml" --env-file "$RUN/compose.env" "$@"
}

compose_images() {
	echo "hyperledger/fabric-ca:$FABRIC_CA_VERSION"
	echo "hyperledger/fabric-orderer:$FABRIC_VERSION"
	echo "hyperledger/fabric-peer:$FABRIC_VERSION"
	echo autoledger-chaincode:latest
	echo autoledger-gateway:latest
}

# compose_check: a Docker engine answers and every image is here or can be pulled.
compose_check() {
	docker info >/dev/null 2>&1 || die "no Docker engine answers (docker info failed)"
	if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null; then
		die "neither 'docker compose' nor 'docker-compose' is installed"
	fi
	local img
	for img in $(compose_images); do
		docker image inspect "$img" >/dev/null 2>&1 && continue
		log "pulling $img"
		docker pull -q "$img" >/dev/null 2>&1 ||
			die "image $img is missing and cannot be pulled: 'make images' builds ours, 'make images-local' also builds stand-in Fabric images (FABRIC_VERSION=$FABRIC_VERSION, FABRIC_CA_VERSION=$FABRIC_CA_VERSION)"
	done
}

run_id_file() { echo "$RUN/compose/run-id"; }
run_id() { cat "$(run_id_file)" 2>/dev/null || true; }

# no_run_id: dies for a run directory without a run id, which docker-compose.yaml needs. Either
# up never ran from it, or its up predates run ids: then its volumes and containers carry no run
# id, and since Docker cannot relabel a volume, its ledgers cannot be adopted.
no_run_id() {
	if [[ -f $RUN/compose.env || -d $RUN/orgs ]]; then
		die "run directory $RUN was made before compose run ids (it has no compose/run-id), so its Docker volumes carry no run id and cannot be told from another run directory's; Docker cannot relabel them, so its network cannot be adopted. Start over: make compose-clean (test-network/network.sh --compose clean) removes the compose network's containers and volumes and this run directory, then make compose-up"
	fi
	die "no compose network was started from run directory $RUN (it has no compose/run-id): make compose-up (test-network/network.sh --compose up) first"
}

# project_objects container|volume: NAME|RUN-ID|RUN-DIR of each container or volume of the
# project (empty fields when unlabelled); fails when docker does.
project_objects() {
	local format="|{{.Label \"$RUN_ID_LABEL\"}}|{{.Label \"$RUN_DIR_LABEL\"}}"
	case $1 in
	container) docker ps -a --filter "label=$PROJECT_LABEL" --format "{{.Names}}$format" ;;
	volume) docker volume ls --filter "label=$PROJECT_LABEL" --format "{{.Name}}$format" ;;
	esac
}

# owner_of RUN-ID RUN-DIR: who made a container or volume with those labels, for messages.
owner_of() {
	if [[ -z $1 ]]; then
		echo "an unknown run directory (no $RUN_ID_LABEL label: made before run ids, or by hand)"
	elif [[ $2 == "$RUN" && $1 == "$(run_id)" ]]; then
		echo "run directory $2 (run id $1), this one"
	elif [[ $(cat "$2/compose/run-id" 2>/dev/null) == "$1" ]]; then
		echo "run directory $2 (run id $1), which still exists"
	else
		echo "run directory $2 (run id $1), which is gone"
	fi
}

# compose_volumes_ours: dies before anything starts when the project has volumes this run
# directory did not make (another clone's, or those of an earlier run directory at this path),
# or when this run directory's own volumes are gone; gives a new run directory its run id.
# Starting on such volumes would fail later and obscurely: the CAs' databases hold the other run
# directory's bootstrap passwords.
compose_volumes_ours() {
	local id name vid vdir key state msg="" own=0 use="" volumes
	local -A names=()
	id=$(run_id)
	[[ -n $id || ! (-f $RUN/compose.env || -d $RUN/orgs) ]] || no_run_id
	volumes=$(project_objects volume) || die "listing the Docker volumes failed (docker volume ls)"
	while IFS='|' read -r name vid vdir; do
		[[ -n $name ]] || continue
		if [[ -n $id && $vid == "$id" ]]; then
			own=$((own + 1))
			continue
		fi
		key="$vid|$vdir"
		names[$key]+="${names[$key]:+, }$name"
	done <<<"$volumes"
	for key in "${!names[@]}"; do
		IFS='|' read -r vid vdir <<<"$key"
		if [[ -z $vid ]]; then
			state="an unknown run directory (no $RUN_ID_LABEL label: made before run ids, or by hand)"
		elif [[ $(cat "$vdir/compose/run-id" 2>/dev/null) == "$vid" ]]; then
			state="run directory $vdir (run id $vid), which still exists"
			use+=$'\n'"To use them instead: AUTOLEDGER_RUN_DIR=$vdir make compose-up"
		elif [[ $vdir == "$RUN" ]]; then
			state="an earlier run directory at $vdir (run id $vid), since removed or moved away"
		else
			state="run directory $vdir (run id $vid), which is gone"
		fi
		msg+=$'\n'"  ${names[$key]}"$'\n'"    belong to $state"
	done
	if [[ -n $msg ]]; then
		die "up refused: the compose network's Docker volumes were made by another run directory than $RUN (run id ${id:-none yet}):$msg
Their CA databases and ledgers only work with that run directory's keys and passwords, so nothing was started.
To start over, remove them and their data: make compose-clean (test-network/network.sh --compose clean).$use"
	fi
	# Enrolment comes after the CAs' volumes exist: identities without them were issued by CAs
	# that are gone, and new CAs would not know them.
	if [[ -n $id ]] && ((own == 0)) && [[ -d $RUN/orgs ]]; then
		die "up refused: the Docker volumes of run directory $RUN (run id $id) are gone, so its identities belong to CAs that no longer exist; start over with: make compose-clean (test-network/network.sh --compose clean)"
	fi
	[[ -n $id ]] && return 0
	mkdir -p "$RUN/compose"
	(umask 077 && od -An -N8 -tx1 /dev/urandom | tr -d ' \n' >"$(run_id_file)")
}

# compose_down: removes this run directory's containers and the project's network; the volumes
# stay. With compose.env through docker compose, after checking that the running containers are
# this run directory's (compose finds them by the project name alone, so another clone's down
# would stop them). Without it (the run directory is gone, or up stopped before writing it) by
# the containers' run directory label: only those this run directory made.
compose_down() {
	local name vid vdir containers foreign="" ids
	containers=$(project_objects container) || die "listing the Docker containers failed (docker ps)"
	if [[ -f $RUN/compose.env ]]; then
		while IFS='|' read -r name vid vdir; do
			# Unlabelled containers predate the labels; compose down stops them as it always has.
			[[ -n $name && -n $vid ]] || continue
			[[ $vid == "$(run_id)" && $vdir == "$RUN" ]] || foreign+="$name|$vid|$vdir"$'\n'
		done <<<"$containers"
		[[ -z $foreign ]] || die "down refused: the compose network's containers are not run directory $RUN's, so nothing was stopped:
$(owners "$foreign")
Stop them from their run directory (AUTOLEDGER_RUN_DIR=DIR make compose-down), or remove them with their volumes: make compose-clean"
		[[ -n $(run_id) ]] || no_run_id
		mkdir -p "$RUN/logs"
		compose down >>"$RUN/logs/compose.log" 2>&1 || {
			tail -n 20 "$RUN/logs/compose.log" >&2
			die "docker compose down failed; log: $RUN/logs/compose.log"
		}
		log "containers removed; ledgers kept in Docker volumes, key material in $RUN"
		return 0
	fi
	local filters=(--filter "label=$PROJECT_LABEL" --filter "label=$RUN_DIR_LABEL=$RUN")
	[[ -z $(run_id) ]] || filters+=(--filter "label=$RUN_ID_LABEL=$(run_id)")
	ids=$(docker ps -aq "${filters[@]}") || die "listing the Docker containers failed (docker ps)"
	if [[ -z $ids ]]; then
		log "nothing of run directory $RUN to stop: it has no compose.env and no container carries its label"
		[[ -z $containers ]] || log "left alone, the compose network's containers of other run directories (make compose-clean removes them and their volumes):
$(owners "$containers")"
		return 0
	fi
	# shellcheck disable=SC2086 # one id a word
	docker rm -f $ids >/dev/null || die "removing the containers of run directory $RUN failed"
	log "removed $(wc -w <<<"$ids") containers of run directory $RUN; ledgers kept in Docker volumes"
	remove_unused_networks
}

# owners LINES: per run directory among project_objects' LINES, how many objects it made.
owners() {
	local name vid vdir key
	local -A count=()
	while IFS='|' read -r name vid vdir; do
		[[ -n $name ]] && count["$vid|$vdir"]=$((${count["$vid|$vdir"]:-0} + 1))
	done <<<"$1"
	for key in "${!count[@]}"; do
		IFS='|' read -r vid vdir <<<"$key"
		echo "  ${count[$key]} of $(owner_of "$vid" "$vdir")"
	done
}

# remove_unused_networks: the project's network, once no container of the project is left on it.
remove_unused_networks() {
	local out
	out=$(docker ps -aq --filter "label=$PROJECT_LABEL") || die "listing the Docker containers failed (docker ps)"
	[[ -z $out ]] || return 0
	out=$(docker network ls -q --filter "label=$PROJECT_LABEL") || die "listing the Docker networks failed (docker network ls)"
	[[ -z $out ]] && return 0
	# shellcheck disable=SC2086 # one id a word
	docker network rm $out >/dev/null || die "removing the networks of compose project $PROJECT failed"
}

# compose_clean: removes every container, network and volume of the project, whichever run
# directory made them (the one host runs one compose network), by compose's project label: unlike
# docker compose down this needs no env file, so it also removes volumes whose run directory is
# gone. It says whose containers and volumes it removed.
compose_clean() {
	local kind out
	for kind in container volume; do
		out=$(project_objects "$kind") || die "listing the Docker ${kind}s failed"
		remove_by_owner "$kind" "$out"
		[[ $kind == volume ]] || remove_unused_networks
	done
}

# remove_by_owner container|volume LINES: removes the objects of project_objects' LINES, one run
# directory at a time, and logs which run directory each group belonged to.
remove_by_owner() {
	local kind=$1 name vid vdir key
	local -A names=()
	while IFS='|' read -r name vid vdir; do
		[[ -n $name ]] && names["$vid|$vdir"]+=" $name"
	done <<<"$2"
	for key in "${!names[@]}"; do
		IFS='|' read -r vid vdir <<<"$key"
		# shellcheck disable=SC2086 # one name a word
		if [[ $kind == container ]]; then
			docker rm -f ${names[$key]} >/dev/null
		else
			docker volume rm ${names[$key]} >/dev/null
		fi || die "removing the ${kind}s of $(owner_of "$vid" "$vdir") failed:${names[$key]}"
		log "removed the ${kind}s of $(owner_of "$vid" "$vdir"):${names[$key]}"
	done
}

# write_compose_env: the values docker-compose.yaml reads; rewritten after each deploy.
write_compose_env() {
	local org user="$CONTAINER_UID:$CONTAINER_UID"
	((EUID == 0)) || user="$CONTAINER_UID:$(id -g)"
	(
		umask 077
		{
			echo "AUTOLEDGER_RUN_DIR=$RUN"
			echo "AUTOLEDGER_RUN_ID=$(run_id)"
			echo "FABRIC_VERSION=$FABRIC_VERSION"
			echo "FABRIC_CA_VERSION=$FABRIC_CA_VERSION"
			echo "AUTOLEDGER_CONTAINER_USER=$user"
			for org in "${ORGS[@]}"; do
				if [[ -f $RUN/chaincode/$CHAINCODE/$org.pkgid ]]; then
					echo "CC_ID_${org^^}=$(cat "$RUN/chaincode/$CHAINCODE/$org.pkgid")"
				fi
			done
		} >"$RUN/compose.env"
	)
}

# compose_prepare: what the containers mount besides key material: the probe, the peers' core.yaml
# and the CAs' configuration (with the bootstrap admin's password, so that it is in neither the
# CA container's command nor its environment: docker inspect shows both).
compose_prepare() {
	private_run_dir
	mkdir -p "$RUN/compose/bin"
	(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$RUN/compose/bin/probe" ./network/probe/cmd/probe) ||
		die "building the probe failed"
	# Every container runs the probe, also those running as CONTAINER_UID; it holds no secret.
	chmod 755 "$RUN/compose" "$RUN/compose/bin" "$RUN/compose/bin/probe"
	# The official images keep their chaincode-as-a-service builder there; our stand-ins keep ours.
	render "$ROOT/network/peer/core.yaml" "$RUN/config/peer-node/core.yaml" /opt/hyperledger/ccaas_builder
	# The CAs' configuration, mounted into each CA container (crypto.sh).
	local org
	for org in orderer "${ORGS[@]}"; do
		ca_config "$org"
		tlsca_config "$org"
	done
	write_compose_env
}

# gateway_configs: per org a connection file naming only that org (paths as the container sees
# them), an HTTPS server certificate from the org's CA and a gateway configuration with fresh API
# keys serving HTTPS with it; kept across down and up.
gateway_configs() {
	local org dir line o name port peer_list
	mkdir -p "$RUN/bin"
	(cd "$ROOT" && go build -o "$RUN/bin/" ./network/cmd/connfile ./gateway/cmd/gateway-keys) || die "building connfile and gateway-keys failed"
	for org in "${ORGS[@]}"; do
		dir=$RUN/compose/gateways/$org
		[[ -f $dir/gateway.yaml && -f $dir/tls/server.crt ]] && continue
		mkdir -p "$dir"
		tls_cert "$org" gateway-https client "$dir/tls" server "$(node_host gateway "" "$org")"
		peer_list=""
		for line in "${PEERS[@]}"; do
			read -r o name port _ <<<"$line"
			[[ $o == "$org" ]] && peer_list+="${peer_list:+,}$name=$(node_host peer "$name" "$org"):$port"
		done
		"$RUN/bin/connfile" -run "$RUN" -as /etc/autoledger -out "$dir/connection.json" -channel "$CHANNEL" \
			-chaincode "$CHAINCODE" -org "$org ${MSP[$org]} $(node_host ca "" "$org"):${CA_PORT[$org]} $peer_list"
		"$RUN/bin/gateway-keys" -connection "$dir/connection.json" -config "$dir/gateway.yaml" -env "$dir/keys.env" \
			-listen 0.0.0.0:8080 -store /data/gateway.db \
			-tls-cert /etc/autoledger/gateway/tls/server.crt -tls-key /etc/autoledger/gateway/tls/server.key >/dev/null
	done
	# The CAs that issued the gateways' certificates, for clients to trust.
	for org in "${ORGS[@]}"; do cat "$RUN/compose/gateways/$org/tls/ca.crt"; done >"$RUN/compose/gateways/ca.pem"
	# One env file for clients and the e2e tests: every gateway's URL, their CAs and every key.
	(
		umask 077
		{
			printf 'AUTOLEDGER_GATEWAY_URLS='
			for org in "${ORGS[@]}"; do printf '%s=https://127.0.0.1:%s,' "${MSP[$org]}" "${GATEWAY_PORT[$org]}"; done | sed 's/,$//'
			echo
			echo "AUTOLEDGER_GATEWAY_CA=$RUN/compose/gateways/ca.pem"
			for org in "${ORGS[@]}"; do grep '^AUTOLEDGER_KEY_' "$RUN/compose/gateways/$org/keys.env"; done
		} >"$RUN/gateways.env"
	)
}

# share_with_containers: our images run as a non-root user; give it the files it mounts, and
# nothing else of the org.
share_with_containers() {
	local org paths
	for org in "${ORGS[@]}"; do
		paths=("$RUN/orgs/$org/chaincode/server" "$RUN/orgs/$org/users" "$RUN/orgs/$org/clients"
			"$RUN/orgs/$org/ca.pem" "$RUN/compose/gateways/$org")
		if ((EUID == 0)); then
			chown -R "$CONTAINER_UID:$CONTAINER_UID" "${paths[@]}"
		else
			chmod -R g+rX "${paths[@]}"
		fi
	done
}

# services KIND: the compose services of a kind (ca, orderer, peer, chaincode, gateway).
services() {
	local line org name
	case $1 in
	ca) for org in orderer "${ORGS[@]}"; do node_host ca "" "$org"; done ;;
	orderer) for line in "${ORDERERS[@]}"; do
		read -r name _ <<<"$line"
		node_host orderer "$name"
	done ;;
	peer) for line in "${PEERS[@]}"; do
		read -r org name _ <<<"$line"
		node_host peer "$name" "$org"
	done ;;
	chaincode) for org in "${ORGS[@]}"; do node_host chaincode "$CHAINCODE" "$org"; done ;;
	gateway) for org in "${ORGS[@]}"; do node_host gateway "" "$org"; done ;;
	esac
}

# compose_start KIND...: create or update (after a deploy, say) the containers of those kinds.
compose_start() {
	local kind list=()
	for kind in "$@"; do mapfile -t -O "${#list[@]}" list < <(services "$kind"); done
	[[ -n $(run_id) ]] || no_run_id
	compose up -d "${list[@]}" >>"$RUN/logs/compose.log" 2>&1 || {
		tail -n 20 "$RUN/logs/compose.log" >&2
		die "docker compose up failed; log: $RUN/logs/compose.log"
	}
}

# container_health NODE: "healthy" when the container's health check passes.
container_health() {
	docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$(container_of "$1")" 2>/dev/null || echo missing
}

# compose_status NODE...: like the native status, from the containers' health checks.
compose_status() {
	local bad=0 n health state
	printf '%-26s %-5s %-10s %s\n' NODE STATE HEALTH CONTAINER
	for n in "$@"; do
		health=$(container_health "$n")
		state=up
		if [[ $health != healthy ]]; then
			state=DOWN
			bad=1
		fi
		printf '%-26s %-5s %-10s %s\n' "$n" "$state" "$health" "$(container_of "$n")"
	done
	return "$bad"
}
