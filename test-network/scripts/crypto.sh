# shellcheck shell=bash
# Certificate authorities and identities: one Fabric CA per org (TLS on); peers, orderers, org
# admins and role users enrolled from it into NodeOU-enabled MSP folders.

ca_home() { echo "$RUN/ca/$1"; }
ca_url() { echo "https://127.0.0.1:${CA_PORT[$1]}"; }

# bootstrap_pw ORG: the CA's bootstrap admin password, made on first use and kept in the run directory.
bootstrap_pw() {
	local home
	home=$(ca_home "$1")
	mkdir -p "$home"
	[[ -f $home/bootstrap.pw ]] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$home/bootstrap.pw")
	cat "$home/bootstrap.pw"
}

start_ca() {
	local org=$1 home port pw
	home=$(ca_home "$org")
	port=${CA_PORT[$org]}
	pw=$(bootstrap_pw "$org")
	FABRIC_CA_SERVER_HOME=$home \
		FABRIC_CA_SERVER_ADDRESS=127.0.0.1 \
		FABRIC_CA_SERVER_PORT=$port \
		FABRIC_CA_SERVER_TLS_ENABLED=true \
		FABRIC_CA_SERVER_CA_NAME=ca-$org \
		FABRIC_CA_SERVER_CSR_CN=ca.$org.autoledger \
		FABRIC_CA_SERVER_CSR_HOSTS=127.0.0.1,localhost \
		FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS=127.0.0.1:$((port + 10000)) \
		FABRIC_CA_SERVER_METRICS_PROVIDER=disabled \
		start "ca-$org" "$port" $((port + 10000)) -- \
		fabric-ca-server start -b "admin:$pw"
}

ca_ready() { curl -sf --max-time 2 --cacert "$(ca_home "$1")/ca-cert.pem" "$(ca_url "$1")/cainfo" >/dev/null; }

# ca_cert_copied ORG: in compose the CA's certificate is in its container's volume; copy it out.
ca_cert_copied() {
	docker cp "$(node_host ca "" "$1"):/etc/hyperledger/fabric-ca-server/ca-cert.pem" "$(ca_home "$1")/ca-cert.pem" 2>/dev/null
}

wait_ca() {
	local org=$1
	[[ $MODE == compose ]] && wait_for "ca-$org" "CA certificate" ca_cert_copied "$org"
	wait_for "ca-$org" "CA certificate" test -s "$(ca_home "$org")/ca-cert.pem"
	wait_for "ca-$org" "answer on $(ca_url "$org")/cainfo" ca_ready "$org"
}

# client ORG ARGS...: fabric-ca-client as the CA's bootstrap admin.
client() {
	local org=$1
	shift
	FABRIC_CA_CLIENT_HOME=$RUN/ca-admin/$org fabric-ca-client "$@" \
		--caname "ca-$org" --tls.certfiles "$(ca_home "$org")/ca-cert.pem" >>"$RUN/logs/enroll-$org.log" 2>&1
}

secret_of() { # secret_of ORG ID: a random enrolment secret, kept in the run directory
	local f="$RUN/ca-admin/$1/secrets/$2"
	mkdir -p "$(dirname "$f")"
	[[ -f $f ]] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$f")
	cat "$f"
}

# normalise_msp DIR: fixed CA file name and the NodeOU configuration.
normalise_msp() {
	local dir=$1 f
	for f in "$dir"/cacerts/*.pem; do [[ $f == "$dir/cacerts/ca.pem" ]] || mv "$f" "$dir/cacerts/ca.pem"; done
	rm -rf "$dir/intermediatecerts"
	cat >"$dir/config.yaml" <<-YAML
		NodeOUs:
		  Enable: true
		  ClientOUIdentifier:
		    Certificate: cacerts/ca.pem
		    OrganizationalUnitIdentifier: client
		  PeerOUIdentifier:
		    Certificate: cacerts/ca.pem
		    OrganizationalUnitIdentifier: peer
		  AdminOUIdentifier:
		    Certificate: cacerts/ca.pem
		    OrganizationalUnitIdentifier: admin
		  OrdererOUIdentifier:
		    Certificate: cacerts/ca.pem
		    OrganizationalUnitIdentifier: orderer
	YAML
}

# identity ORG ID TYPE DIR [ATTRS]: registers ID and enrols its signing identity into DIR/msp.
identity() {
	local org=$1 id=$2 type=$3 dir=$4 attrs=${5:-} sec
	[[ -f $dir/msp/signcerts/cert.pem ]] && return 0
	sec=$(secret_of "$org" "$id")
	local reg=(register --id.name "$id" --id.secret "$sec" --id.type "$type")
	[[ -n $attrs ]] && reg+=(--id.attrs "$attrs")
	client "$org" "${reg[@]}" || true # already registered by an earlier, interrupted run
	local host=${CA_PORT[$org]}
	client "$org" enroll -u "https://$id:$sec@127.0.0.1:$host" -M "$dir/msp" --csr.hosts 127.0.0.1,localhost ||
		die "enrolling $id at ca-$org failed; log: $RUN/logs/enroll-$org.log"
	normalise_msp "$dir/msp"
}

# tls_cert ORG ID TYPE DIR NAME [HOST]: a TLS key pair for ID in DIR/NAME.crt, DIR/NAME.key,
# DIR/ca.crt, valid for 127.0.0.1, localhost and HOST (the node's container name).
tls_cert() {
	local org=$1 id=$2 type=$3 dir=$4 name=$5 host=${6:-} sec tmp
	[[ -f $dir/$name.crt ]] && return 0
	sec=$(secret_of "$org" "$id")
	client "$org" register --id.name "$id" --id.secret "$sec" --id.type "$type" || true
	tmp=$(mktemp -d)
	client "$org" enroll -u "https://$id:$sec@127.0.0.1:${CA_PORT[$org]}" -M "$tmp" \
		--enrollment.profile tls --csr.hosts "127.0.0.1,localhost${host:+,$host}" ||
		die "TLS enrolment of $id at ca-$org failed; log: $RUN/logs/enroll-$org.log"
	mkdir -p "$dir"
	cp "$tmp"/signcerts/*.pem "$dir/$name.crt"
	cp "$tmp"/keystore/*_sk "$dir/$name.key"
	cp "$tmp"/tlscacerts/*.pem "$dir/ca.crt"
	chmod 600 "$dir/$name.key"
	rm -rf "$tmp"
}

# enroll_org ORG: every identity of an org. Safe to run again: done work is skipped.
enroll_org() {
	local org=$1 dir line name role
	dir=$(orgdir "$org")
	mkdir -p "$dir/msp/cacerts" "$dir/msp/tlscacerts" "$RUN/ca-admin/$org"
	if [[ ! -f $RUN/ca-admin/$org/msp/signcerts/cert.pem ]]; then
		FABRIC_CA_CLIENT_HOME=$RUN/ca-admin/$org fabric-ca-client enroll \
			-u "https://admin:$(bootstrap_pw "$org")@127.0.0.1:${CA_PORT[$org]}" \
			--caname "ca-$org" --tls.certfiles "$(ca_home "$org")/ca-cert.pem" >>"$RUN/logs/enroll-$org.log" 2>&1 ||
			die "enrolling the bootstrap admin of ca-$org failed; log: $RUN/logs/enroll-$org.log"
	fi
	cp "$(ca_home "$org")/ca-cert.pem" "$dir/ca.pem"
	cp "$dir/ca.pem" "$dir/msp/cacerts/ca.pem"
	cp "$dir/ca.pem" "$dir/msp/tlscacerts/ca.pem"
	normalise_msp "$dir/msp"

	identity "$org" "orgadmin" admin "$dir/users/orgadmin"
	tls_cert "$org" "orgadmin" admin "$dir/users/orgadmin/tls" client
	if [[ $org == orderer ]]; then
		for line in "${ORDERERS[@]}"; do
			read -r name _ <<<"$line"
			identity "$org" "$name" orderer "$dir/orderers/$name"
			tls_cert "$org" "$name" orderer "$dir/orderers/$name/tls" server "$(node_host orderer "$name")"
		done
		return 0
	fi
	for line in "${PEERS[@]}"; do
		read -r o name _ <<<"$line"
		[[ $o == "$org" ]] || continue
		identity "$org" "$name" peer "$dir/peers/$name"
		tls_cert "$org" "$name" peer "$dir/peers/$name/tls" server "$(node_host peer "$name" "$org")"
	done
	for role in ${ROLES[$org]}; do
		identity "$org" "user-$role" client "$dir/users/$role" "role=$role:ecert"
	done
	# TLS client of the org's gateway and SDK connections, and both ends of the chaincode link.
	tls_cert "$org" gateway-tls client "$dir/clients/gateway/tls" client
	tls_cert "$org" ccserver client "$dir/chaincode/server" server "$(node_host chaincode "$CHAINCODE" "$org")"
	tls_cert "$org" ccclient client "$dir/chaincode/client" client
}
