#!/usr/bin/env bash
# `npm test`: the whole suite — types, unit, integration (real Docker engine) and e2e (Debian's
# Chromium against the production build). Brings up what it needs first (scripts/test-env.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

stage() { printf '\n=== %s ===\n' "$*"; }
started=$(date +%s)

stage "environment"
source scripts/test-env.sh

stage "type check and lint"
npm run --silent typecheck
npm run --silent lint

stage "unit tests"
npm run --silent test:unit

stage "integration tests (real engine)"
npm run --silent test:integration

stage "production build"
npm run --silent build

stage "fault and security tests (production server, real engine)"
npm run --silent test:faults

stage "e2e tests (Chromium, production server)"
rm -rf test-results/e2e-data
npm run --silent test:e2e

stage "deploy (image, nginx, HTTPS)"
bash scripts/deploy-test.sh

printf '\nAll tests passed in %ss.\n' "$(( $(date +%s) - started ))"
