# AutoLedger build, test and run targets. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO        ?= go
BIN       ?= $(CURDIR)/bin
COVER_MIN ?= 85
RUN_DIR   ?= $(or $(AUTOLEDGER_RUN_DIR),$(CURDIR)/test-network/run)
COMPOSE_RUN_DIR ?= $(or $(AUTOLEDGER_RUN_DIR),$(CURDIR)/test-network/compose-run)
WASM_DIR  := gateway/report/static
SCRIPTS   := $(shell git ls-files '*.sh' .ci/run 2>/dev/null)

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

.PHONY: test
test: unit e2e ## everything CI runs: unit then end-to-end tests

.PHONY: unit
unit: wasm vet fmt-check ## go vet, gofmt check, race-enabled unit tests, chaincode coverage gate
	$(GO) test -race -count=1 -coverpkg=./chaincode/... -coverprofile=$(BIN)/cover.out ./...
	@$(GO) tool cover -func=$(BIN)/cover.out | awk -v min=$(COVER_MIN) '/^total:/ { sub("%","",$$3); \
		printf "chaincode coverage %s%% (minimum %s%%)\n", $$3, min; if ($$3 + 0 < min) exit 1 }'

.PHONY: e2e
e2e: fabric-bin wasm ## end-to-end tests (build tag e2e); starts the native network when it is not up
	$(GO) test -tags e2e -count=1 -timeout 20m -run 'E2E' ./...

.PHONY: fabric-bin
fabric-bin: ## build (or find on PATH) peer, orderer, configtxgen, osnadmin, configtxlator, fabric-ca-*
	@test-network/scripts/fabric-bin.sh >/dev/null

.PHONY: network-up
network-up: fabric-bin ## start the native four-org network and deploy the chaincode
	test-network/network.sh up
	@test -f $(RUN_DIR)/chaincode/autoledger/oem.pkgid || test-network/network.sh deploy autoledger

.PHONY: network-down
network-down: ## stop every process of the native network, keep its data
	test-network/network.sh down

.PHONY: network-clean
network-clean: ## stop the native network and remove its data
	test-network/network.sh clean

.PHONY: network-status
network-status: ## each node of the native network and its health
	test-network/network.sh status

.PHONY: bench-gateway
bench-gateway: network-up ## REST gateway against the direct fabric-gateway client, same network, same mix
	$(GO) run ./test-network/cmd/bench-gateway -rate 20 -duration 60s -slice 5s -workers 48

.PHONY: bench-network
bench-network: ## commit latency and throughput on the native network
	$(GO) test -tags e2e -run '^$$' -bench E2E -benchtime 40x ./test-network/e2e/

.PHONY: vet
vet:
	@mkdir -p $(BIN)
	$(GO) vet ./...
	$(GO) vet -tags e2e ./...
	GOOS=js GOARCH=wasm $(GO) vet ./gateway/verify/wasm

.PHONY: fmt-check
fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

.PHONY: lint
lint: ## shellcheck every tracked shell script
	@command -v shellcheck >/dev/null || { echo "shellcheck missing: run 'make tools'"; exit 1; }
	@if [ -n "$(SCRIPTS)" ]; then shellcheck $(SCRIPTS); fi

.PHONY: tools
tools: ## install the host tools the scripts and CI need, from Debian packages (chromium: the portal's browser tests)
	@missing=""; for t in shellcheck:shellcheck jq:jq curl:curl envsubst:gettext-base file:file chromium:chromium; do \
		command -v $${t%%:*} >/dev/null || missing="$$missing $${t#*:}"; done; \
	if docker info >/dev/null 2>&1 && ! docker compose version >/dev/null 2>&1; then \
		command -v docker-compose >/dev/null || missing="$$missing docker-compose"; fi; \
	if [ -n "$$missing" ]; then apt-get update -qq && apt-get install -y -qq $$missing; fi

.PHONY: bench
bench: ## chaincode benchmarks on the mock stub
	$(GO) test -run '^$$' -bench . -benchmem ./chaincode/...

.PHONY: openapi
openapi: ## regenerate the request schemas of gateway/api/openapi.yaml from the Go types and their validate tags
	$(GO) test -count=1 -run '^TestOpenAPISchemasFollowTheGoTypes$$' ./gateway/api -args -update-openapi

.PHONY: fuzz
fuzz: ## fuzz the VIN rule and the owner-statement decoder, 30 s each
	$(GO) test -run '^$$' -fuzz FuzzValidate -fuzztime 30s ./chaincode/vin
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime 30s ./chaincode/owner/statement

.PHONY: chaincode
chaincode: ## build the chaincode binary (static) into bin/
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/autoledger-cc ./chaincode/cmd/autoledger-cc

.PHONY: demo
demo: tools fabric-bin wasm ## start the network, chaincode and gateway, load demo data, print how to call it
	@test-network/scripts/demo.sh up

.PHONY: down
down: ## stop the demo gateway and the network (data kept; make network-clean removes it)
	@test-network/scripts/demo.sh down

.PHONY: wasm
wasm: ## the in-page verifier: gateway/verify as WebAssembly, and Go's wasm_exec.js, into gateway/report/static (embedded by the gateway)
	GOOS=js GOARCH=wasm CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=false -ldflags=-s -o $(WASM_DIR)/verify.wasm ./gateway/verify/wasm
	@root=$$($(GO) env GOROOT); for f in lib/wasm/wasm_exec.js misc/wasm/wasm_exec.js; do \
		if [ -f "$$root/$$f" ]; then install -m 0644 "$$root/$$f" $(WASM_DIR)/wasm_exec.js; exit 0; fi; done; \
		echo "no wasm_exec.js in $$root (lib/wasm or misc/wasm)"; exit 1
	@sha256sum $(WASM_DIR)/verify.wasm

.PHONY: gateway
gateway: wasm ## build the gateway and the owner CLI, autoledger (static), into bin/
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/autoledger-gateway ./gateway/cmd/autoledger-gateway
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/autoledger ./gateway/cmd/autoledger

.PHONY: images
images: wasm ## our images, autoledger-chaincode and autoledger-gateway, FROM scratch
	test-network/scripts/images.sh ours

.PHONY: images-local
images-local: fabric-bin wasm ## our images plus stand-in Fabric images, FROM scratch, for machines without a registry
	test-network/scripts/images.sh all

.PHONY: compose-up
compose-up: fabric-bin ## the network as containers (docker-compose.yaml) with the chaincode and one gateway per org
	test-network/network.sh --compose up
	@test -f $(COMPOSE_RUN_DIR)/chaincode/autoledger/oem.pkgid || test-network/network.sh --compose deploy
	@echo "gateway URLs and API keys: $(COMPOSE_RUN_DIR)/gateways.env"

.PHONY: compose-down
compose-down: ## remove the compose network's containers; volumes and keys are kept
	test-network/network.sh --compose down

.PHONY: compose-clean
compose-clean: ## remove the compose network's containers, volumes and run directory
	test-network/network.sh --compose clean

.PHONY: compose-status
compose-status: ## each container of the compose network and its health
	test-network/network.sh --compose status

.PHONY: compose-e2e
compose-e2e: images-local ## the end-to-end tests against the compose network and its per-org gateways
	AUTOLEDGER_NETWORK=compose $(GO) test -tags e2e -count=1 -timeout 30m -run 'E2E' ./test-network/e2e/

.PHONY: clean
clean: ## remove build output
	rm -rf $(BIN)
