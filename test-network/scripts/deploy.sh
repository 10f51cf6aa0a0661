# shellcheck shell=bash
# Chaincode as a service: package, install, approve, commit, start each org's chaincode server.

build_builder() {
	mkdir -p "$RUN/builder/bin"
	(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$RUN/builder/bin/" ./network/builder/cmd/detect ./network/builder/cmd/build ./network/builder/cmd/release) ||
		die "building the chaincode builder failed"
}

cc_port() { # cc_port CHAINCODE ORG
	local line c o p
	for line in "${CC_SERVERS[@]}"; do
		read -r c o p <<<"$line"
		if [[ $c == "$1" && $o == "$2" ]]; then
			echo "$p"
			return 0
		fi
	done
	die "no chaincode server port for $1 at $2 in CC_SERVERS"
}

start_cc_server() { # start_cc_server CHAINCODE ORG
	local cc=$1 org=$2 port pkgid dir
	pkgid=$(cat "$RUN/chaincode/$cc/$org.pkgid")
	port=$(cc_port "$cc" "$org")
	dir=$(orgdir "$org")
	CHAINCODE_SERVER_ADDRESS=127.0.0.1:$port \
		CORE_CHAINCODE_ID_NAME=$pkgid \
		CORE_PEER_TLS_ENABLED=true \
		CORE_TLS_CLIENT_KEY_FILE=$dir/chaincode/server/server.key \
		CORE_TLS_CLIENT_CERT_FILE=$dir/chaincode/server/server.crt \
		CORE_PEER_TLS_ROOTCERT_FILE=$dir/ca.pem \
		start "cc-$cc-$org" "$port" -- "$RUN/chaincode/bin/$cc-cc"
}

# restart_cc_servers: after `down`, bring back the servers of what was deployed.
restart_cc_servers() {
	local line cc org
	for line in "${CC_SERVERS[@]}"; do
		read -r cc org _ <<<"$line"
		[[ -f $RUN/chaincode/$cc/$org.pkgid ]] && start_cc_server "$cc" "$org"
	done
	return 0
}

package_for() { # package_for CHAINCODE ORG LABEL OUT: a ccaas package naming this org's server
	local cc=$1 org=$2 label=$3 out=$4 dir work
	dir=$(orgdir "$org")
	work=$(mktemp -d)
	jq -n --arg addr "$(advertised chaincode "$cc" "$org"):$(cc_port "$cc" "$org")" \
		--rawfile key "$dir/chaincode/client/client.key" --rawfile cert "$dir/chaincode/client/client.crt" \
		--rawfile root "$dir/ca.pem" \
		'{address: $addr, dial_timeout: "10s", tls_required: true, client_auth_required: true,
		  client_key: $key, client_cert: $cert, root_cert: $root}' >"$work/connection.json"
	jq -n --arg l "$label" '{"type": "ccaas", "label": $l}' >"$work/metadata.json"
	tar -C "$work" -czf "$work/code.tar.gz" connection.json
	tar -C "$work" -czf "$out" metadata.json code.tar.gz
	rm -rf "$work"
}

committed_sequence() { # committed_sequence CHAINCODE: 0 when not yet defined
	(
		as_admin oem
		peer lifecycle chaincode querycommitted -C "$CHANNEL" -n "$1" -O json 2>/dev/null | jq -r '.sequence // 0' || echo 0
	)
}

deploy_chaincode() {
	local cc=$1 seq label line org o name port first_peer commit_args=() pkg pkgid
	mkdir -p "$RUN/chaincode/bin" "$RUN/chaincode/$cc"
	# In compose the chaincode is the autoledger-chaincode image (make images).
	if [[ $MODE == native ]]; then
		(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$RUN/chaincode/bin/$cc-cc" "./chaincode/cmd/$cc-cc") ||
			die "building chaincode $cc failed"
	fi
	seq=$(($(committed_sequence "$cc") + 1))
	label=${cc}_$seq
	log "deploying $cc as sequence $seq"
	for org in "${ORGS[@]}"; do
		pkg=$RUN/chaincode/$cc/$label-$org.tar.gz
		package_for "$cc" "$org" "$label" "$pkg"
		for line in "${PEERS[@]}"; do
			read -r o name port _ <<<"$line"
			[[ $o == "$org" ]] || continue
			(
				as_admin "$org" "$port"
				peer lifecycle chaincode install "$pkg" >>"$RUN/logs/deploy.log" 2>&1 ||
					die "install of $label on $name.$org failed; log: $RUN/logs/deploy.log"
			)
		done
		pkgid=$(peer lifecycle chaincode calculatepackageid "$pkg")
		(
			as_admin "$org"
			peer lifecycle chaincode approveformyorg -C "$CHANNEL" -n "$cc" --version "$seq" --sequence "$seq" \
				--package-id "$pkgid" --collections-config "$ROOT/network/collections_config.json" \
				"${ORDERER_ARGS[@]}" >>"$RUN/logs/deploy.log" 2>&1 ||
				die "approval of $label by ${MSP[$org]} failed; log: $RUN/logs/deploy.log"
		)
		echo "$pkgid" >"$RUN/chaincode/$cc/$org.pkgid.next"
		first_peer=$(for line in "${PEERS[@]}"; do read -r o _ port _ <<<"$line"; [[ $o == "$org" ]] && echo "$port" && break; done)
		commit_args+=(--peerAddresses "127.0.0.1:$first_peer" --tlsRootCertFiles "$(orgdir "$org")/ca.pem")
	done
	(
		as_admin oem
		peer lifecycle chaincode commit -C "$CHANNEL" -n "$cc" --version "$seq" --sequence "$seq" \
			--collections-config "$ROOT/network/collections_config.json" "${ORDERER_ARGS[@]}" \
			"${commit_args[@]}" >>"$RUN/logs/deploy.log" 2>&1 ||
			die "commit of $label failed; log: $RUN/logs/deploy.log"
	)
	for org in "${ORGS[@]}"; do
		mv "$RUN/chaincode/$cc/$org.pkgid.next" "$RUN/chaincode/$cc/$org.pkgid"
		if [[ $MODE == native ]]; then
			stop "cc-$cc-$org"
			start_cc_server "$cc" "$org"
		fi
	done
	if [[ $MODE == compose ]]; then
		write_compose_env # the new package IDs
		compose_start chaincode
	fi
	for line in "${PEERS[@]}"; do
		read -r org name port _ <<<"$line"
		wait_for "cc-$cc-$org" "an answer from $cc through $name.$org" cc_answers "$cc" "$org" "$port"
	done
	log "$cc sequence $seq is running on every peer"
	wait_writable "$cc"
}

# wait_writable CHAINCODE: returns when a write of every org can be endorsed (network/cmd/ready).
# A peer answers queries a few seconds before its discovery can satisfy the endorsement policy
# (after a restart, until gossip has formed; after a deploy, until every peer has announced the
# chaincode); writes meanwhile fail with "no combination of peers can be derived".
wait_writable() {
	local cc=$1
	mkdir -p "$RUN/bin"
	(cd "$ROOT" && go build -o "$RUN/bin/ready" ./network/cmd/ready) || die "building network/cmd/ready failed"
	"$RUN/bin/ready" -connection "$RUN/connection.json" -chaincode "$cc" -timeout "${START_TIMEOUT}s" ||
		die "writes to $cc cannot be endorsed for the org(s) named above after ${START_TIMEOUT}s (AUTOLEDGER_START_TIMEOUT); peer logs: network.sh logs peer0.ORG"
}

# wait_deployed_writable: wait_writable for every chaincode this run directory has deployed.
wait_deployed_writable() {
	local line cc seen=" "
	for line in "${CC_SERVERS[@]}"; do
		read -r cc _ <<<"$line"
		[[ $seen == *" $cc "* ]] && continue
		seen+="$cc "
		[[ -f $RUN/chaincode/$cc/${ORGS[0]}.pkgid ]] && wait_writable "$cc"
	done
	return 0
}

cc_answers() { # cc_answers CHAINCODE ORG PORT: a query through that peer succeeds
	(
		as_admin "$2" "$3"
		peer chaincode query -C "$CHANNEL" -n "$1" -c '{"Args":["org.hyperledger.fabric:GetMetadata"]}' >/dev/null
	)
}
