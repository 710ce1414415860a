#!/usr/bin/env bash
# The deploy stage of `npm test` (issue 16): builds the image (scripts/deploy-image.sh), runs it
# under compose.yaml behind nginx over HTTPS and drives it with Chromium (playwright.deploy.config.ts,
# e2e-deploy/), then checks the systemd unit and starts the server the way it does
# (tests/deploy/). Expects scripts/test-env.sh to have run (sourced here when CHROMIUM_PATH is unset).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
[ -n "${CHROMIUM_PATH:-}" ] || source scripts/test-env.sh

image=$(bash scripts/deploy-image.sh)
printf '[deploy] image %s: %s\n' "$image" "$(/usr/bin/docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')"

results="${HAKURIVER_TEST_STATE:-/var/lib/hakuriver-test}/deploy/results"
rm -rf "$results"
npx playwright test -c playwright.deploy.config.ts ||
  { printf '[deploy] logs, traces and screenshots: %s\n' "$results"; exit 1; }
node --conditions=react-server --import tsx --test tests/deploy/*.test.ts

printf '[deploy] stage took %ss\n' "$(( $(date +%s) - started ))"
