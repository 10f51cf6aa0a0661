#!/usr/bin/env bash
# Builds (or finds) the Fabric and Fabric CA binaries the test network runs.
#
# Official release binaries (2.5 or later, with fabric-ca 1.5 or later) already on PATH are used as
# they are. Otherwise peer, orderer, configtxgen, configtxlator, osnadmin, fabric-ca-server and
# fabric-ca-client are built from the pinned tools modules under test-network/tools into
# $FABRIC_BIN (default ~/.cache/autoledger/fabric-<version>), skipping what is already built.
# Prints the directory to put on PATH as its last line.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FABRIC_VERSION=2.5.0
FABRIC_CA_VERSION=1.5.21
FABRIC_BIN=${FABRIC_BIN:-${HOME}/.cache/autoledger/fabric-${FABRIC_VERSION}-ca-${FABRIC_CA_VERSION}}
fabric_tools=(peer orderer configtxgen configtxlator osnadmin)
ca_tools=(fabric-ca-server fabric-ca-client)

log() { printf '[fabric-bin] %s\n' "$*" >&2; }

# version_ok NAME: the binary on PATH reports a usable version.
version_ok() {
	local v
	case $1 in
	fabric-ca-*) v=$("$1" version 2>/dev/null | awk '/Version:/ {print $2; exit}') ;;
	*) v=$("$1" version 2>/dev/null | awk '/Version:/ {print $2; exit}') ;;
	esac
	v=${v#v}
	case $1 in
	fabric-ca-*) [[ $v =~ ^1\.([5-9]|[1-9][0-9])\. ]] ;;
	*) [[ $v =~ ^(2\.([5-9]|[1-9][0-9])|[3-9])\. ]] ;;
	esac
}

on_path=1
for t in "${fabric_tools[@]}" "${ca_tools[@]}"; do
	if ! command -v "$t" >/dev/null 2>&1 || ! version_ok "$t"; then
		on_path=0
		break
	fi
done
if [[ $on_path == 1 && -z ${AUTOLEDGER_BUILD_FABRIC:-} ]]; then
	dir=$(dirname "$(command -v peer)")
	log "using Fabric binaries on PATH in $dir: $(peer version | awk '/Version:/ {print $2; exit}'), fabric-ca $(fabric-ca-server version | awk '/Version:/ {print $2; exit}')"
	echo "$dir"
	exit 0
fi

mkdir -p "$FABRIC_BIN"
build() { # build MODULE_DIR LDFLAGS PKG...
	local mod=$1 ldflags=$2
	shift 2
	local missing=()
	for pkg in "$@"; do
		[[ -x $FABRIC_BIN/$(basename "$pkg") ]] || missing+=("$pkg")
	done
	if [[ ${#missing[@]} -eq 0 ]]; then
		return
	fi
	local names=()
	for pkg in "${missing[@]}"; do names+=("$(basename "$pkg")"); done
	log "building ${names[*]} (the first build takes a few minutes)"
	(cd "$here/tools/$mod" && CGO_ENABLED=${CGO:-0} go build -trimpath -ldflags "$ldflags" -o "$FABRIC_BIN/" "${missing[@]}")
}

fabric_ld="-X github.com/hyperledger/fabric/common/metadata.Version=${FABRIC_VERSION} -X github.com/hyperledger/fabric/common/metadata.CommitSHA=bd8e24856939"
pkgs=()
for t in "${fabric_tools[@]}"; do pkgs+=("github.com/hyperledger/fabric/cmd/$t"); done
CGO=0 build fabric "$fabric_ld" "${pkgs[@]}"

# fabric-ca-server stores its registry in SQLite, which needs cgo; link it statically so the same
# binary also runs in a FROM scratch image.
ca_ld="-X github.com/hyperledger/fabric-ca/lib/metadata.Version=${FABRIC_CA_VERSION} -linkmode external -extldflags -static"
CGO=1 build fabric-ca "$ca_ld" github.com/hyperledger/fabric-ca/cmd/fabric-ca-server github.com/hyperledger/fabric-ca/cmd/fabric-ca-client

log "Fabric $("$FABRIC_BIN/peer" version | awk '/Version:/ {print $2; exit}') and fabric-ca $("$FABRIC_BIN/fabric-ca-server" version | awk '/Version:/ {print $2; exit}') in $FABRIC_BIN"
echo "$FABRIC_BIN"
