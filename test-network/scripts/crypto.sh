# shellcheck shell=bash
# Certificate authorities and identities: one fabric-ca-server per org (TLS on) serving two CAs.
# ca-ORG issues the org's signing identities (peers, orderers, org admin, role users) into
# NodeOU-enabled MSP folders; tlsca-ORG issues every TLS certificate (nodes, the org admin's and
# the gateway's TLS clients, both ends of the chaincode link). The TLS CA's root is in the org
# MSP's tlscacerts but not its cacerts, so no TLS key is an identity of the org.
#
# Per org in the run directory: orgs/ORG/msp/cacerts/ca.pem is the identity root, and
# orgs/ORG/ca.pem (= msp/tlscacerts/ca.pem) the TLS root clients verify the org's nodes with.
#
# Secrets: the CA's bootstrap password and every enrolment secret stay in owner-only files of the
# run directory (ca/ORG/bootstrap.pw, ca/ORG/fabric-ca-server-config.yaml, ca-admin/ORG/secrets/)
# and reach fabric-ca-server through its configuration file and fabric-ca-client through its
# environment, never through arguments, which every user of the host can read with ps.

ca_home() { echo "$RUN/ca/$1"; }
# tlsca_home ORG: the home of the org's TLS CA, a second CA of the same server (--cafiles); its
# configuration file is bind-mounted there in compose.
tlsca_home() { echo "$(ca_home "$1")/tlsca"; }
ca_url() { echo "https://127.0.0.1:${CA_PORT[$1]}"; }

# bootstrap_pw ORG: the CA's bootstrap admin password, made on first use and kept in the run directory.
bootstrap_pw() {
	local home
	home=$(ca_home "$1")
	mkdir -p "$home"
	[[ -f $home/bootstrap.pw ]] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$home/bootstrap.pw")
	cat "$home/bootstrap.pw"
}

# tlsca_config ORG: the TLS CA's configuration file. What it leaves out (bootstrap admin, signing
# profiles, TLS of the listener) comes from the server's default CA.
tlsca_config() {
	local home
	home=$(tlsca_home "$1")
	mkdir -p "$home"
	cat >"$home/fabric-ca-server-config.yaml" <<-YAML
		ca:
		  name: tlsca-$1
		csr:
		  cn: tlsca.$1.$DOMAIN
	YAML
}

# ca_config ORG: the server's configuration file with the bootstrap admin and its password, so
# that the server is never started with -b user:pass (its arguments are public, and the server
# logs -b's value with its settings; it leaves out the lines of this file that name a password).
# Written once, owner-only; what it leaves out (ports, names, TLS) start_ca and docker-compose.yaml
# set. A server that made its own file from -b (run directories of earlier versions) keeps it.
ca_config() {
	local home f pw
	home=$(ca_home "$1")
	f=$home/fabric-ca-server-config.yaml
	pw=$(bootstrap_pw "$1")
	if [[ ! -f $f ]]; then
		(
			umask 077
			cat >"$f.tmp" <<-YAML
				registry:
				  maxenrollments: -1
				  identities:
				    - name: admin
				      pass: "$pw"
				      type: client
				      affiliation: ""
				      attrs:
				        hf.Registrar.Roles: "*"
				        hf.Registrar.DelegateRoles: "*"
				        hf.Registrar.Attributes: "*"
				        hf.Revoker: true
				        hf.GenCRL: true
				        hf.IntermediateCA: true
				        hf.AffiliationMgr: true
				signing:
				  default:
				    usage: [digital signature]
				    expiry: 8760h
				  profiles:
				    tls:
				      usage: [signing, key encipherment, server auth, client auth, key agreement]
				      expiry: 8760h
				csr:
				  keyrequest:
				    algo: ecdsa
				    size: 256
				  ca:
				    expiry: 131400h
				    pathlength: 1
			YAML
			mv "$f.tmp" "$f"
		)
	fi
	chmod 600 "$f"
}

start_ca() {
	local org=$1 home port
	home=$(ca_home "$org")
	port=${CA_PORT[$org]}
	private_run_dir
	ca_config "$org"
	tlsca_config "$org"
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
		fabric-ca-server start --cafiles "$(tlsca_home "$org")/fabric-ca-server-config.yaml"
}

# ca_ready ORG: both CAs of the org's server answer.
ca_ready() {
	local c
	for c in "ca-$1" "tlsca-$1"; do
		curl -sf --max-time 2 --cacert "$(ca_home "$1")/ca-cert.pem" "$(ca_url "$1")/cainfo?ca=$c" >/dev/null || return 1
	done
}

# ca_cert_copied ORG: in compose the CAs' certificates are in their container's volume; copy them out.
ca_cert_copied() {
	local in=/etc/hyperledger/fabric-ca-server
	docker cp "$(node_host ca "" "$1"):$in/ca-cert.pem" "$(ca_home "$1")/ca-cert.pem" 2>/dev/null &&
		docker cp "$(node_host ca "" "$1"):$in/tlsca/ca-cert.pem" "$(tlsca_home "$1")/ca-cert.pem" 2>/dev/null
}

ca_certs_written() { [[ -s $(ca_home "$1")/ca-cert.pem && -s $(tlsca_home "$1")/ca-cert.pem ]]; }

wait_ca() {
	local org=$1
	[[ $MODE == compose ]] && wait_for "ca-$org" "CA certificates" ca_cert_copied "$org"
	wait_for "ca-$org" "CA certificates" ca_certs_written "$org"
	wait_for "ca-$org" "answer on $(ca_url "$org")/cainfo" ca_ready "$org"
}

# enrol_failed ORG WHAT: dies naming the org's enrolment log, after printing its end: the log
# stays in the run directory, but a wrapper that cleans up on failure (CI) removes it.
enrol_failed() {
	tail -n 5 "$RUN/logs/enroll-$1.log" >&2 2>/dev/null || true
	die "$2 failed; log: $RUN/logs/enroll-$1.log"
}

# admin_home CANAME ORG: fabric-ca-client's home as the bootstrap admin of CANAME.
admin_home() {
	if [[ $1 == tlsca-* ]]; then echo "$RUN/ca-admin/$2/tlsca"; else echo "$RUN/ca-admin/$2"; fi
}

# ca_client CANAME ORG ARGS...: fabric-ca-client as the bootstrap admin of CANAME, one of the
# org server's CAs (the listener's TLS certificate is the default CA's). Secrets come from the
# caller's environment: FABRIC_CA_CLIENT_URL (https://ID:SECRET@HOST:PORT) for enroll,
# FABRIC_CA_CLIENT_ID_SECRET for register. Only its log goes to the enrolment log: register
# prints the secret on standard output.
ca_client() {
	local caname=$1 org=$2
	shift 2
	FABRIC_CA_CLIENT_HOME=$(admin_home "$caname" "$org") fabric-ca-client "$@" \
		--caname "$caname" --tls.certfiles "$(ca_home "$org")/ca-cert.pem" 2>>"$RUN/logs/enroll-$org.log" >/dev/null
}

# enrol_url ORG ID SECRET: the URL fabric-ca-client enrols ID at, for FABRIC_CA_CLIENT_URL.
enrol_url() { echo "https://$2:$3@127.0.0.1:${CA_PORT[$1]}"; }

# client ORG ARGS...: at the org's CA; tls_client ORG ARGS...: at its TLS CA.
client() { ca_client "ca-$1" "$@"; }
tls_client() { ca_client "tlsca-$1" "$@"; }

# enroll_admin CANAME ORG: enrols the CA's bootstrap admin, once.
enroll_admin() {
	local caname=$1 org=$2 home
	home=$(admin_home "$caname" "$org")
	[[ -f $home/msp/signcerts/cert.pem ]] && return 0
	mkdir -p "$home"
	FABRIC_CA_CLIENT_URL=$(enrol_url "$org" admin "$(bootstrap_pw "$org")") ca_client "$caname" "$org" enroll ||
		enrol_failed "$org" "enrolling the bootstrap admin of $caname"
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
	local reg=(register --id.name "$id" --id.type "$type")
	[[ -n $attrs ]] && reg+=(--id.attrs "$attrs")
	FABRIC_CA_CLIENT_ID_SECRET=$sec client "$org" "${reg[@]}" || true # already registered by an earlier, interrupted run
	FABRIC_CA_CLIENT_URL=$(enrol_url "$org" "$id" "$sec") client "$org" enroll -M "$dir/msp" --csr.hosts 127.0.0.1,localhost ||
		enrol_failed "$org" "enrolling $id at ca-$org"
	normalise_msp "$dir/msp"
}

# tls_cert ORG ID TYPE DIR NAME [HOST]: a TLS key pair for ID from the org's TLS CA in
# DIR/NAME.crt, DIR/NAME.key, DIR/ca.crt (the TLS CA's root), valid for 127.0.0.1, localhost and
# HOST (the node's container name).
tls_cert() {
	local org=$1 id=$2 type=$3 dir=$4 name=$5 host=${6:-} sec tmp
	[[ -f $dir/$name.crt ]] && return 0
	sec=$(secret_of "$org" "$id")
	FABRIC_CA_CLIENT_ID_SECRET=$sec tls_client "$org" register --id.name "$id" --id.type "$type" || true
	tmp=$(mktemp -d)
	FABRIC_CA_CLIENT_URL=$(enrol_url "$org" "$id" "$sec") tls_client "$org" enroll -M "$tmp" \
		--enrollment.profile tls --csr.hosts "127.0.0.1,localhost${host:+,$host}" ||
		enrol_failed "$org" "TLS enrolment of $id at tlsca-$org"
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
	mkdir -p "$dir/msp/cacerts" "$dir/msp/tlscacerts"
	enroll_admin "ca-$org" "$org"
	enroll_admin "tlsca-$org" "$org"
	cp "$(ca_home "$org")/ca-cert.pem" "$dir/msp/cacerts/ca.pem"
	cp "$(tlsca_home "$org")/ca-cert.pem" "$dir/ca.pem"
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
