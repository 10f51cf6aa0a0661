#!/usr/bin/env bash
# make demo / make down: the native network, the chaincode, one gateway serving every org with a
# demo API key per org and role, and a small data set.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
state=$root/.autoledger
listen=${AUTOLEDGER_GATEWAY_LISTEN:-127.0.0.1:8080}
pidfile=$state/gateway.pid
log() { printf '[demo] %s\n' "$*" >&2; }

stop_gateway() {
	[[ -f $pidfile ]] || return 0
	local pid
	pid=$(cat "$pidfile")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	fi
	rm -f "$pidfile"
}

up() {
	local t0=$SECONDS
	cd "$root"
	make --no-print-directory network-up
	mkdir -p "$state" "$root/bin"
	go build -o "$root/bin/autoledger-gateway" ./gateway/cmd/autoledger-gateway
	stop_gateway
	# Keys are made once and kept across make down / make demo, so clients keep working.
	if [[ ! -f $state/demo.env ]] || ! grep -qx "listen: $listen" "$state/gateway.yaml" 2>/dev/null; then
		go run ./gateway/cmd/gateway-keys -connection "$root/test-network/run/connection.json" \
			-config "$state/gateway.yaml" -env "$state/demo.env" -listen "$listen" -store "$state/gateway.db"
	fi
	setsid "$root/bin/autoledger-gateway" -config "$state/gateway.yaml" >>"$state/gateway.log" 2>&1 </dev/null &
	echo $! >"$pidfile"
	# Ready means a write of every org can be endorsed (docs/api.md), not merely that the gateway answers.
	local deadline=$((SECONDS + 60)) answer=""
	until curl -sf --max-time 10 "http://$listen/readyz" >/dev/null; do
		kill -0 "$(cat "$pidfile")" 2>/dev/null || { tail -n 20 "$state/gateway.log" >&2; log "the gateway exited; log: $state/gateway.log"; exit 1; }
		if ((SECONDS >= deadline)); then
			answer=$(curl -s --max-time 10 "http://$listen/readyz" || true)
			log "the gateway is not ready after 60s: ${answer:-no answer}; why: grep 'not ready' $state/gateway.log"
			exit 1
		fi
		sleep 0.2
	done
	log "loading demo data"
	go run ./gateway/cmd/demo-load -env "$state/demo.env"
	cat <<-EOF

		AutoLedger demo is up in $((SECONDS - t0))s: gateway http://$listen (log $state/gateway.log),
		network status: test-network/network.sh status. Keys per org and role: $state/demo.env

		  set -a; . $state/demo.env; set +a
		  curl -s -H "X-API-Key: \$AUTOLEDGER_KEY_INSURER_CLAIMS" \$AUTOLEDGER_URL/v1/vehicles/1G4AH59H45G118341/report
		  curl -s -H "X-API-Key: \$AUTOLEDGER_KEY_DEALER_SALES" \$AUTOLEDGER_URL/v1/vehicles/1M8GDM9AXKP042788/history
		  curl -sN -H "X-API-Key: \$AUTOLEDGER_KEY_OEM_PRODUCTION" "\$AUTOLEDGER_URL/v1/events?startBlock=0"
		  curl -s \$AUTOLEDGER_URL/openapi.json
		  curl -s \$AUTOLEDGER_URL/v1/owner/vehicles/1G4AH59H45G118341   # no key: the owner's view

		The owner portal: \$AUTOLEDGER_URL/portal (docs/portal.md); the owner's own client: autoledger owner
		(docs/cli.md); the demo's owner keys: .autoledger/owner-keys/.

		API guide: docs/api.md. Stop everything with: make down
	EOF
}

down() {
	stop_gateway
	"$root/test-network/network.sh" down
}

case ${1:-up} in
up) up ;;
down) down ;;
*) echo "usage: demo.sh up|down" >&2; exit 2 ;;
esac
