#!/usr/bin/env bash
# The whole test suite: builds, then runs every Vitest suite on every storage backend.
# PostgreSQL is found through TEST_POSTGRES_URL; when unset and a local server answers on
# 127.0.0.1:5432, that one is used. Prints a closing "N passed, N failed, N skipped" line.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TEST_POSTGRES_URL:-}" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
  export TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test
fi

npm run build --silent || exit 1

mkdir -p .tmp
rm -f .tmp/vitest-results.json
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest-results.json "$@"
status=$?
node scripts/print-test-summary.mjs .tmp/vitest-results.json || status=1
exit $status
