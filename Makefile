# Entry points (DESIGN.md §8). Every target installs what it needs first.
SHELL := /bin/bash
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED := true

.PHONY: trace outbox bench soak soak-tenants fuzz dev test test-unit test-unit-node24 test-node24 test-int lint typecheck format install browser tf-check clean proto proto-check
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHROMIUM ?= /usr/bin/chromium

## install: npm dependencies, reinstalled whenever package-lock.json changes
install: node_modules/.installed
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## dev: emulator + resources + services on http://localhost:8080 (Ctrl-C stops everything)
dev: install
	node --import tsx scripts/dev.ts

## trace: one upload's traces as terminal waterfalls, from the spans make dev wrote to .local/traces (UPLOAD=<id>)
trace: install
	node --import tsx scripts/trace.ts $(UPLOAD)

## outbox: the newest mail make dev wrote to .local/outbox, decoded (N=3 messages)
outbox: install
	node --import tsx scripts/outbox.ts

## bench: throughput against a direct S3 upload and against tus, sweep, memory, API latency (bench/README.md)
bench: install
	node --import tsx bench/src/main.ts

## soak: the chaos soak (e2e/soak): 100 uploads under random faults and process kills, users rotated every 25 uploads; prints `soak: N uploads, K faults, 0 lost, ...`
soak: install
	node --import tsx e2e/soak/main.ts

## soak-tenants: the noisy-neighbour soak (e2e/soak/tenants.ts): honest users alone, then beside hostile tenants; prints `tenants: honest throughput N % of baseline, ...`
soak-tenants: install
	node --import tsx e2e/soak/tenants-main.ts

## fuzz: property-based fuzzing of the gateway and uploads routes, 2000 requests per property (FUZZ_RUNS, FUZZ_SEED)
fuzz: install
	FUZZ_RUNS=$${FUZZ_RUNS:-2000} npx vitest run --project e2e-int e2e/test/fuzz.int.test.ts

## browser: Debian's chromium for the browser tests (playwright-core drives it; `npx playwright install` cannot run here)
browser:
	@test -x $(CHROMIUM) || { echo "installing chromium (apt-get)"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

## test: typecheck, lint, generated code up to date, then every test (unit + integration against a real emulator + browser)
test: install browser typecheck lint proto-check tf-check
	@mkdir -p .local
	@# One test file at a time: parallel files each drive their own moto, and on a 2-core CI machine
	@# the emulators then starve each other into timeouts that say nothing about our code.
	npx vitest run --maxWorkers=1 --reporter=default --reporter=json --outputFile=.local/vitest-report.json
	@node scripts/test-summary.mjs .local/vitest-report.json
	@$(MAKE) --no-print-directory test-unit-node24

test-unit: install
	npx vitest run --project '*-unit'

test-int: install browser
	npx vitest run --project '*-int'

## Node 24 LTS, from the npm registry's `node` package, in .local/node24 (until the machines move to it)
NODE24 := .local/node24/node_modules/.bin/node
$(NODE24):
	@mkdir -p .local/node24
	npm install --prefix .local/node24 --no-audit --no-fund --no-save node@24 >/dev/null
	@$(NODE24) --version

## test-unit-node24: the unit tests under Node 24 as well (part of make test)
test-unit-node24: install $(NODE24)
	$(NODE24) node_modules/vitest/vitest.mjs run --project '*-unit'

## test-node24: the whole suite under Node 24 (the services it starts run on the same Node)
test-node24: install browser $(NODE24)
	$(NODE24) node_modules/vitest/vitest.mjs run --maxWorkers=1

typecheck: install
	npm run typecheck

lint: install
	npx biome ci .

format: install
	npx biome check --write .

## tf-check: terraform fmt, validate (when providers can be downloaded), Terraform/compose/code agreement tests
tf-check: install
	bash scripts/tf-check.sh

## proto: lint the contracts and regenerate proto/gen (buf + local ts-proto plugin, offline)
proto: install
	cd proto && npx buf lint && rm -rf gen && npx buf generate

## proto-check: fail if proto/gen differs from what the .proto files generate
proto-check: install
	@tmp=$$(mktemp -d) && (cd proto && npx buf generate -o "$$tmp") && \
	  if diff -r proto/gen "$$tmp/gen" >/dev/null; then echo "proto/gen is up to date"; rm -rf "$$tmp"; \
	  else echo "proto/gen is stale: run make proto"; rm -rf "$$tmp"; exit 1; fi

clean:
	rm -rf node_modules */node_modules .local
