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

# release_version PATH: the version an official release binary reports, without a leading v.
# peer, orderer, configtxlator and fabric-ca-* have a `version` command; configtxgen has a
# -version flag (its `version` argument is ignored and it tries to load a profile). Each prints
# "<name>:" then " Version: 2.5.0" and more lines.
release_version() {
	local arg=version v
	[[ $(basename "$1") == configtxgen ]] && arg=-version
	v=$("$1" "$arg" 2>/dev/null | awk '$1 == "Version:" && v == "" {v = $2} END {print v}') || true
	echo "${v#v}"
}

# release_dir: the directory of the official release binaries on PATH, when usable. Every tool must
# resolve, on PATH, into the directory of the first peer (a release's bin/ holds them all, and the
# callers put that one directory on PATH and copy from it). osnadmin has no version command or
# flag: it is accepted when it answers --help with its own usage, as the sibling of a peer that
# reports 2.5 or later (osnadmin first shipped in 2.3).
release_dir() {
	local peer dir t v="" usage=""
	peer=$(command -v peer 2>/dev/null) || return 1
	dir=$(dirname "$peer")
	for t in "${fabric_tools[@]}" "${ca_tools[@]}"; do
		[[ $(command -v "$t" 2>/dev/null) == "$dir/$t" ]] || { log "not using $dir: $t is not there or not first on PATH"; return 1; }
		case $t in
		osnadmin)
			usage=$("$dir/$t" --help 2>&1) || true
			[[ $usage == "usage: osnadmin "* ]] || { log "not using $dir: $t --help does not answer with its usage"; return 1; }
			continue
			;;
		fabric-ca-*) v=$(release_version "$dir/$t") && [[ $v =~ ^1\.([5-9]|[1-9][0-9])\. ]] ;;
		*) v=$(release_version "$dir/$t") && [[ $v =~ ^(2\.([5-9]|[1-9][0-9])|[3-9])\. ]] ;;
		esac || { log "not using $dir: $t reports version '${v}', too old or unreadable"; return 1; }
	done
	echo "$dir"
}

if [[ -z ${AUTOLEDGER_BUILD_FABRIC:-} ]] && dir=$(release_dir); then
	log "using Fabric binaries on PATH in $dir: $(release_version "$dir/peer"), fabric-ca $(release_version "$dir/fabric-ca-server")"
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

log "Fabric $(release_version "$FABRIC_BIN/peer") and fabric-ca $(release_version "$FABRIC_BIN/fabric-ca-server") in $FABRIC_BIN"
echo "$FABRIC_BIN"
