#!/usr/bin/env bash
# Starts the Seedgate gateway on the embedded default: SQLite + local disk + the sandbox engine.
#   ./run.sh                       → http://127.0.0.1:8080, data in ./data
#   SEEDGATE_URLS=http://0.0.0.0:9000 SEEDGATE_DATA=/var/lib/seedgate ./run.sh
# Extra arguments are passed to `seedgate serve` (e.g. --Seedgate:Dispatch:ConcurrentJobs=2).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/ensure-tools.sh
ensure_dotnet
ensure_packages ffmpeg

urls="${SEEDGATE_URLS:-http://127.0.0.1:8080}"
data="${SEEDGATE_DATA:-./data}"
dotnet build src/Seedgate.Cli -c Release -v quiet -nologo -o .build/cli >/dev/null

# Keys for this session only, accepted while the gateway runs and stored nowhere: an API key (default account) and
# the admin key, which makes permanent keys: dotnet .build/cli/seedgate.dll keys create --account default
random_key() { echo "sg-$(head -c 60 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40)"; }
if [ -z "${SEEDGATE_API_KEY:-}" ]; then
  SEEDGATE_API_KEY="$(random_key)"
  export SEEDGATE_API_KEY
fi
if [ -z "${SEEDGATE_ADMIN_KEY:-}" ]; then
  SEEDGATE_ADMIN_KEY="$(random_key)"
  export SEEDGATE_ADMIN_KEY
fi
base="${urls%%;*}"
cat <<MSG
Seedgate starting at $base (data: $data)
Web console: $base/console (sign in with a key below)
API key for this session:
  $SEEDGATE_API_KEY
Admin key for this session (accounts and keys: /admin/v1, \`seedgate accounts\`, \`seedgate keys\`):
  $SEEDGATE_ADMIN_KEY
First video:
  curl -s $base/api/v3/contents/generations/tasks -H "Authorization: Bearer $SEEDGATE_API_KEY" \\
    -H 'Content-Type: application/json' \\
    -d '{"model":"seedance-2.0-fast","content":[{"type":"text","text":"An orange cat walking through cherry blossom rain, warm sunset tones"}],"ratio":"9:16","duration":5}'
  curl -s "$base/api/v3/contents/generations/tasks/<id>?wait=60" -H "Authorization: Bearer $SEEDGATE_API_KEY"
MSG
exec dotnet .build/cli/seedgate.dll serve --urls "$urls" --data "$data" "$@"
