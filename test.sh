#!/usr/bin/env bash
# Installs what the tests need (ffmpeg, Chromium, PostgreSQL, Node.js + s3rver + standardwebhooks), starts the test servers, runs every test. Prints "N passed, N failed" at the end.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/ensure-tools.sh
source scripts/postgres.sh
source scripts/s3rver.sh
source scripts/standardwebhooks.sh
ensure_dotnet
ensure_packages ffmpeg
# The console's browser tests drive Debian's Chromium through Playwright (no browser download).
ensure_packages chromium
command -v npm >/dev/null 2>&1 || ensure_packages nodejs npm

log="$(mktemp)"
trap 'postgres_stop; s3rver_stop; rm -f "$log"' EXIT
# A throwaway PostgreSQL server and a local S3-compatible server (s3rver) on 127.0.0.1, for the store and cluster tests.
postgres_start || exit 1
s3rver_start || exit 1
# The npm reference implementation of Standard Webhooks, to check the gateway's signatures independently.
standardwebhooks_install || exit 1
status=0
dotnet test Seedgate.slnx -c Release --nologo 2>&1 | tee "$log" || status=$?

# One closing line over all test projects, from dotnet test's per-project summaries.
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
