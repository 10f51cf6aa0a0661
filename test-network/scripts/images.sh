#!/usr/bin/env bash
# Container images, all FROM scratch from binaries built here, so no base image is pulled:
#   images.sh ours   autoledger-chaincode and autoledger-gateway (make images)
#   images.sh all    those plus stand-ins for hyperledger/fabric-peer, -orderer and -ca, tagged like
#                    the official images so docker-compose.yaml runs unchanged without registry
#                    access (make images-local)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
what=${1:-all}
[[ $what == ours || $what == all ]] || { echo "usage: images.sh ours|all" >&2; exit 2; }
# The stand-ins are built from Fabric 2.5.0 and Fabric CA 1.5.21 binaries; they answer to the
# minor-version tags docker-compose.yaml uses by default as well as to the exact ones.
FABRIC_VERSION=${FABRIC_VERSION:-2.5}
FABRIC_CA_VERSION=${FABRIC_CA_VERSION:-1.5}
ctx=$root/bin/images
rm -rf "$ctx"
mkdir -p "$ctx/bin/data"
(cd "$root" && CGO_ENABLED=0 go build -trimpath -o "$ctx/bin/" ./network/builder/cmd/detect ./network/builder/cmd/build \
	./network/builder/cmd/release ./network/probe/cmd/probe ./chaincode/cmd/autoledger-cc ./gateway/cmd/autoledger-gateway)
cp /etc/ssl/certs/ca-certificates.crt "$ctx/bin/"
if [[ $what == all ]]; then
	fabric=$("$root/test-network/scripts/fabric-bin.sh" | tail -n 1)
	for b in peer orderer osnadmin fabric-ca-server fabric-ca-client; do cp "$fabric/$b" "$ctx/bin/"; done
	# shellcheck disable=SC2016 # the name envsubst replaces, not an expansion
	BUILDER_DIR=/opt/hyperledger/ccaas_builder envsubst '${BUILDER_DIR}' <"$root/network/peer/core.yaml" >"$ctx/bin/core.yaml"
	cp "$root/network/orderer/orderer.yaml" "$ctx/bin/"
fi
# Static binaries only: a FROM scratch image has no loader or libc.
for b in "$ctx"/bin/*; do
	[[ -x $b && ! -d $b ]] || continue
	if file "$b" | grep -q 'dynamically linked'; then echo "images: $b is not static" >&2; exit 1; fi
done

build() { # build DOCKERFILE TAG...
	local df=$1 tag
	shift
	docker build -q -f "$root/network/images/$df" -t "$1" "$ctx/bin" >/dev/null 2>"$ctx/build.log" || { cat "$ctx/build.log" >&2; exit 1; }
	for tag in "${@:2}"; do docker tag "$1" "$tag"; done
	echo "built $*"
}
build chaincode.Dockerfile autoledger-chaincode:latest
build gateway.Dockerfile autoledger-gateway:latest
[[ $what == all ]] || exit 0
build peer.Dockerfile "hyperledger/fabric-peer:$FABRIC_VERSION" hyperledger/fabric-peer:2.5.0
build orderer.Dockerfile "hyperledger/fabric-orderer:$FABRIC_VERSION" hyperledger/fabric-orderer:2.5.0
build ca.Dockerfile "hyperledger/fabric-ca:$FABRIC_CA_VERSION" hyperledger/fabric-ca:1.5.21
