#!/usr/bin/env bash
# make images-local: stand-in Fabric images and our own images, all FROM scratch, from binaries built
# here, tagged like the official ones so docker-compose.yaml runs unchanged without registry access.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FABRIC_VERSION=${FABRIC_VERSION:-2.5.0}
FABRIC_CA_VERSION=${FABRIC_CA_VERSION:-1.5.21}
fabric=$("$root/test-network/scripts/fabric-bin.sh" | tail -n 1)
ctx=$root/bin/images
rm -rf "$ctx"
mkdir -p "$ctx/bin"
(cd "$root" && CGO_ENABLED=0 go build -trimpath -o "$ctx/bin/" ./network/builder/cmd/detect ./network/builder/cmd/build \
	./network/builder/cmd/release ./network/probe/cmd/probe ./chaincode/cmd/autoledger-cc ./gateway/cmd/autoledger-gateway)
for b in peer orderer osnadmin fabric-ca-server fabric-ca-client; do cp "$fabric/$b" "$ctx/bin/"; done
# Static binaries only: a FROM scratch image has no loader or libc.
for b in "$ctx"/bin/*; do
	if file "$b" | grep -q 'dynamically linked'; then echo "images: $b is not static" >&2; exit 1; fi
done
cp /etc/ssl/certs/ca-certificates.crt "$ctx/bin/"
# shellcheck disable=SC2016 # the name envsubst replaces, not an expansion
BUILDER_DIR=/opt/hyperledger/ccaas_builder envsubst '${BUILDER_DIR}' <"$root/network/peer/core.yaml" >"$ctx/bin/core.yaml"
cp "$root/network/orderer/orderer.yaml" "$ctx/bin/"
mkdir -p "$ctx/bin/data"

build() { # build DOCKERFILE TAG
	docker build -q -f "$root/network/images/$1" -t "$2" "$ctx/bin" >/dev/null 2>"$ctx/build.log" || { cat "$ctx/build.log" >&2; exit 1; }
	echo "built $2"
}
build peer.Dockerfile "hyperledger/fabric-peer:$FABRIC_VERSION"
build orderer.Dockerfile "hyperledger/fabric-orderer:$FABRIC_VERSION"
build ca.Dockerfile "hyperledger/fabric-ca:$FABRIC_CA_VERSION"
build chaincode.Dockerfile autoledger-chaincode:latest
build gateway.Dockerfile autoledger-gateway:latest
