# switchyard — every target installs what it needs.
SHELL := /bin/bash
.DEFAULT_GOAL := build

# npm ci writes node_modules/.package-lock.json: newer than package-lock.json means installed
NODE_DEPS := node_modules/.package-lock.json

$(NODE_DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: deps
deps: $(NODE_DEPS)

.PHONY: build
build: $(NODE_DEPS)
	npx tsc -p tsconfig.json
	$(MAKE) --no-print-directory web

# The web console (Preact + uPlot, built by Vite into web/dist, served at /console/).
.PHONY: web
web: $(NODE_DEPS)
	npx tsc -p web/tsconfig.json
	npx vite build web

.PHONY: run
run: build
	./bin/switchyard serve $(ARGS)

# System packages the tests drive for real (etcd, dnsmasq, wrk, kubectl 1.20, chromium).
.PHONY: test-deps
test-deps:
	hack/install-test-deps.sh

.PHONY: test
test: build test-deps
	hack/run-tests.sh $(TESTS)

# The upstream Gateway API conformance tests (GATEWAY-HTTP profile, test/conformance) against the
# real binary; writes conformance/report.yaml (upstream ConformanceReport) even when a test fails.
CONFORMANCE_RESULTS := dist/conformance-results
.PHONY: conformance
conformance: build test-deps
	rm -rf $(CONFORMANCE_RESULTS)
	status=0; CONFORMANCE_RESULTS=$(CURDIR)/$(CONFORMANCE_RESULTS) hack/run-tests.sh test/conformance/shard || status=$$?; \
	node dist/test/conformance/write-report.js $(CONFORMANCE_RESULTS) conformance/report.yaml && exit $$status

.PHONY: unit
unit: build
	hack/run-tests.sh unit

# One report of every benchmark against its reference (bench/results/latest.md); quick by default.
#   make bench ARGS='--full'   make bench ARGS='--only storage,proxy'
.PHONY: bench
bench: build test-deps
	node dist/bench/run-all.js $(ARGS)

.PHONY: clean
clean:
	rm -rf dist
