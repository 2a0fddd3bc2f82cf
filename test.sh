#!/usr/bin/env bash
# Installs what the tests need and runs every test. Prints "N passed, N failed" at the end.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/ensure-tools.sh
ensure_dotnet
ensure_packages ffmpeg

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test Seedgate.slnx -c Release --nologo 2>&1 | tee "$log" || status=$?

# One closing line over all test projects, from dotnet test's per-project summaries.
awk '/(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
