# shellcheck shell=bash
# Orderers, peers and the channel.

render() { # render TEMPLATE OUT [BUILDER_DIR]: substitute the run-time values into a network/ template
	mkdir -p "$(dirname "$2")"
	(
		export RUN BATCH_TIMEOUT BATCH_MAX_COUNT BUILDER_DIR=${3:-$RUN/builder}
		# shellcheck disable=SC2016 # the names envsubst may replace, not expansions
		local line name names='${RUN} ${BUILDER_DIR} ${BATCH_TIMEOUT} ${BATCH_MAX_COUNT}'
		for line in "${ORDERERS[@]}"; do
			read -r name _ <<<"$line"
			export "${name^^}_HOST=$(advertised orderer "$name")"
			names+=" \${${name^^}_HOST}"
		done
		envsubst "$names" <"$1" >"$2"
	)
}

start_orderer() {
	local name=$1 port=$2 admin=$3 ops=$4 dir data
	dir=$(orgdir orderer)/orderers/$name
	data=$RUN/data/$name
	mkdir -p "$data"
	FABRIC_CFG_PATH=$ROOT/network/orderer \
		ORDERER_GENERAL_LISTENPORT=$port \
		ORDERER_GENERAL_LOCALMSPDIR=$dir/msp \
		ORDERER_GENERAL_TLS_PRIVATEKEY=$dir/tls/server.key \
		ORDERER_GENERAL_TLS_CERTIFICATE=$dir/tls/server.crt \
		ORDERER_GENERAL_TLS_ROOTCAS="[$dir/tls/ca.crt]" \
		ORDERER_GENERAL_TLS_CLIENTROOTCAS="[$dir/tls/ca.crt]" \
		ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE=$dir/tls/server.crt \
		ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY=$dir/tls/server.key \
		ORDERER_ADMIN_LISTENADDRESS=127.0.0.1:$admin \
		ORDERER_ADMIN_TLS_CERTIFICATE=$dir/tls/server.crt \
		ORDERER_ADMIN_TLS_PRIVATEKEY=$dir/tls/server.key \
		ORDERER_ADMIN_TLS_CLIENTROOTCAS="[$dir/tls/ca.crt]" \
		ORDERER_OPERATIONS_LISTENADDRESS=127.0.0.1:$ops \
		ORDERER_OPERATIONS_TLS_CERTIFICATE=$dir/tls/server.crt \
		ORDERER_OPERATIONS_TLS_PRIVATEKEY=$dir/tls/server.key \
		ORDERER_OPERATIONS_TLS_CLIENTROOTCAS="[$dir/tls/ca.crt]" \
		ORDERER_FILELEDGER_LOCATION=$data/ledger \
		ORDERER_CONSENSUS_WALDIR=$data/etcdraft/wal \
		ORDERER_CONSENSUS_SNAPDIR=$data/etcdraft/snapshot \
		start "$name" "$port" "$admin" "$ops" -- orderer
}

# peer_env ORG NAME PORT CCPORT OPS: the environment of a peer process.
peer_env() {
	local org=$1 name=$2 port=$3 cc=$4 ops=$5 dir
	dir=$(orgdir "$org")/peers/$name
	echo "FABRIC_CFG_PATH=$RUN/config/peer"
	echo "CORE_PEER_ID=$name.$org"
	echo "CORE_PEER_LISTENADDRESS=127.0.0.1:$port"
	echo "CORE_PEER_ADDRESS=127.0.0.1:$port"
	echo "CORE_PEER_CHAINCODELISTENADDRESS=127.0.0.1:$cc"
	echo "CORE_PEER_GOSSIP_BOOTSTRAP=127.0.0.1:$port"
	echo "CORE_PEER_GOSSIP_EXTERNALENDPOINT=127.0.0.1:$port"
	echo "CORE_PEER_LOCALMSPID=${MSP[$org]}"
	echo "CORE_PEER_MSPCONFIGPATH=$dir/msp"
	echo "CORE_PEER_TLS_CERT_FILE=$dir/tls/server.crt"
	echo "CORE_PEER_TLS_KEY_FILE=$dir/tls/server.key"
	echo "CORE_PEER_TLS_ROOTCERT_FILE=$dir/tls/ca.crt"
	echo "CORE_PEER_TLS_CLIENTROOTCAS_FILES=$dir/tls/ca.crt"
	echo "CORE_PEER_TLS_CLIENTCERT_FILE=$dir/tls/server.crt"
	echo "CORE_PEER_TLS_CLIENTKEY_FILE=$dir/tls/server.key"
	echo "CORE_PEER_FILESYSTEMPATH=$RUN/data/$name.$org"
	echo "CORE_LEDGER_SNAPSHOTS_ROOTDIR=$RUN/data/$name.$org/snapshots"
	echo "CORE_OPERATIONS_LISTENADDRESS=127.0.0.1:$ops"
	echo "CORE_OPERATIONS_TLS_CERT_FILE=$dir/tls/server.crt"
	echo "CORE_OPERATIONS_TLS_KEY_FILE=$dir/tls/server.key"
	echo "CORE_OPERATIONS_TLS_CLIENTROOTCAS_FILES=$dir/tls/ca.crt"
}

start_peer() {
	local org=$1 name=$2 port=$3 cc=$4 ops=$5 env=()
	mapfile -t env < <(peer_env "$@")
	mkdir -p "$RUN/data/$name.$org"
	start "$name.$org" "$port" "$cc" "$ops" -- env "${env[@]}" peer node start
}

# as_admin ORG [PEER_PORT]: the peer CLI environment of the org's admin (first peer by default).
as_admin() {
	local org=$1 port=${2:-} dir line o
	dir=$(orgdir "$org")
	if [[ -z $port ]]; then
		for line in "${PEERS[@]}"; do
			read -r o _ port _ <<<"$line"
			[[ $o == "$org" ]] && break
		done
	fi
	export FABRIC_CFG_PATH=$RUN/config/peer
	export CORE_PEER_LOCALMSPID=${MSP[$org]}
	export CORE_PEER_MSPCONFIGPATH=$dir/users/orgadmin/msp
	export CORE_PEER_ADDRESS=127.0.0.1:$port
	export CORE_PEER_TLS_ENABLED=true
	export CORE_PEER_TLS_ROOTCERT_FILE=$dir/ca.pem
	export CORE_PEER_TLS_CLIENTAUTHREQUIRED=true
	export CORE_PEER_TLS_CLIENTCERT_FILE=$dir/users/orgadmin/tls/client.crt
	export CORE_PEER_TLS_CLIENTKEY_FILE=$dir/users/orgadmin/tls/client.key
	# shellcheck disable=SC2034 # used by the callers of as_admin
	ORDERER_ARGS=(-o 127.0.0.1:7050 --tls --cafile "$(orgdir orderer)/ca.pem" --clientauth
		--certfile "$dir/users/orgadmin/tls/client.crt" --keyfile "$dir/users/orgadmin/tls/client.key")
}

create_channel() {
	local block=$RUN/channel/$CHANNEL.block line name admin od
	if [[ ! -f $block ]]; then
		render "$ROOT/network/configtx.yaml" "$RUN/config/configtx/configtx.yaml"
		mkdir -p "$RUN/channel"
		configtxgen -configPath "$RUN/config/configtx" -profile AutoLedgerChannel -channelID "$CHANNEL" \
			-outputBlock "$block" >>"$RUN/logs/configtxgen.log" 2>&1 ||
			die "configtxgen failed; log: $RUN/logs/configtxgen.log"
	fi
	od=$(orgdir orderer)
	for line in "${ORDERERS[@]}"; do
		read -r name _ admin _ <<<"$line"
		if osnadmin channel list -o "127.0.0.1:$admin" --ca-file "$od/ca.pem" \
			--client-cert "$od/users/orgadmin/tls/client.crt" --client-key "$od/users/orgadmin/tls/client.key" 2>/dev/null |
			grep -q "\"name\": \"$CHANNEL\""; then
			continue
		fi
		osnadmin channel join --channelID "$CHANNEL" --config-block "$block" -o "127.0.0.1:$admin" \
			--ca-file "$od/ca.pem" --client-cert "$od/users/orgadmin/tls/client.crt" \
			--client-key "$od/users/orgadmin/tls/client.key" >>"$RUN/logs/osnadmin.log" 2>&1 ||
			die "$name could not join channel $CHANNEL; log: $RUN/logs/osnadmin.log"
	done
}

join_peers() {
	local line org name port
	for line in "${PEERS[@]}"; do
		read -r org name port _ <<<"$line"
		(
			as_admin "$org" "$port"
			if peer channel list 2>/dev/null | grep -qx "$CHANNEL"; then
				exit 0
			fi
			peer channel join -b "$RUN/channel/$CHANNEL.block" >>"$RUN/logs/join-$name.$org.log" 2>&1 ||
				die "$name.$org could not join $CHANNEL; log: $RUN/logs/join-$name.$org.log"
		)
	done
}

# set_anchor_peers: each org's admin records its first peer as anchor peer with a config update.
# These are the channel's first blocks after genesis; see SnapshotIntervalSize in configtx.yaml for
# why they must exist before the orderers can be restarted safely.
set_anchor_peers() {
	local org line o name port work msp
	for org in "${ORGS[@]}"; do
		msp=${MSP[$org]}
		for line in "${PEERS[@]}"; do
			read -r o name port _ <<<"$line"
			[[ $o == "$org" ]] && break
		done
		work=$(mktemp -d)
		(
			as_admin "$org"
			# Right after the orderers join, Raft may still be electing a leader.
			local deadline=$((SECONDS + START_TIMEOUT))
			until peer channel fetch config "$work/block.pb" -c "$CHANNEL" "${ORDERER_ARGS[@]}" >>"$RUN/logs/anchors.log" 2>&1; do
				((SECONDS < deadline)) || die "fetching the channel config as $msp failed; log: $RUN/logs/anchors.log"
				sleep 0.5
			done
			configtxlator proto_decode --input "$work/block.pb" --type common.Block |
				jq '.data.data[0].payload.data.config' >"$work/config.json"
			if jq -e --arg m "$msp" '.channel_group.groups.Application.groups[$m].values.AnchorPeers' "$work/config.json" >/dev/null; then
				exit 0
			fi
			jq --arg m "$msp" --argjson p "$port" --arg h "$(advertised peer "$name" "$org")" '.channel_group.groups.Application.groups[$m].values.AnchorPeers =
				{"mod_policy": "Admins", "value": {"anchor_peers": [{"host": $h, "port": $p}]}, "version": "0"}' \
				"$work/config.json" >"$work/modified.json"
			configtxlator proto_encode --input "$work/config.json" --type common.Config --output "$work/config.pb"
			configtxlator proto_encode --input "$work/modified.json" --type common.Config --output "$work/modified.pb"
			configtxlator compute_update --channel_id "$CHANNEL" --original "$work/config.pb" --updated "$work/modified.pb" \
				--output "$work/update.pb"
			configtxlator proto_decode --input "$work/update.pb" --type common.ConfigUpdate |
				jq --arg c "$CHANNEL" '{payload: {header: {channel_header: {channel_id: $c, type: 2}}, data: {config_update: .}}}' \
					>"$work/envelope.json"
			configtxlator proto_encode --input "$work/envelope.json" --type common.Envelope --output "$work/envelope.pb"
			peer channel update -f "$work/envelope.pb" -c "$CHANNEL" "${ORDERER_ARGS[@]}" >>"$RUN/logs/anchors.log" 2>&1 ||
				die "anchor peer update of $msp failed; log: $RUN/logs/anchors.log"
		)
		rm -rf "$work"
	done
}
