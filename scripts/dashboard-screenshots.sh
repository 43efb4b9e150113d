#!/usr/bin/env bash
# Refreshes the dashboard screenshots the README shows: runs the dashboard's browser tests (which
# save a screenshot of every page to .tmp/dashboard-screenshots) and copies a few to docs/.
set -euo pipefail
cd "$(dirname "$0")/.."
STORES=sqlite npx vitest run packages/server/test/dashboard/dashboard-browser.test.ts \
  packages/server/test/dashboard/dashboard-pages-browser.test.ts
for name in install data-settings users profile imports group-builder reports; do
  cp ".tmp/dashboard-screenshots/${name}.png" "docs/screenshots/dashboard-${name}.png"
done
echo "docs/screenshots refreshed"
