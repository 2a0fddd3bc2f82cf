# Sourced (bash) by test.sh, or by hand: the npm reference implementation of Standard Webhooks, which the webhook
# tests use to verify Seedgate's signatures independently of the .NET library that makes them.
#   source scripts/standardwebhooks.sh && standardwebhooks_install   → exports SEEDGATE_TEST_STANDARDWEBHOOKS
# Installs into <repo>/.tools/standardwebhooks (git-ignored) on first use; needs node and npm.

# Pinned: 1.1.1 is the latest release (verify(payload, headers) throws on a bad signature or timestamp).
STANDARDWEBHOOKS_VERSION="1.1.1"
STANDARDWEBHOOKS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools/standardwebhooks"

standardwebhooks_install() {
  local pkg="$STANDARDWEBHOOKS_DIR/node_modules/standardwebhooks/package.json"
  if ! grep -q "\"version\": \"$STANDARDWEBHOOKS_VERSION\"" "$pkg" 2>/dev/null; then
    echo "Installing standardwebhooks@$STANDARDWEBHOOKS_VERSION into $STANDARDWEBHOOKS_DIR …" >&2
    mkdir -p "$STANDARDWEBHOOKS_DIR"
    local out
    if ! out="$(npm install --no-audit --no-fund --no-save --loglevel=error --prefix "$STANDARDWEBHOOKS_DIR" "standardwebhooks@$STANDARDWEBHOOKS_VERSION" 2>&1)"; then
      echo "standardwebhooks: npm install failed:" >&2
      printf '%s\n' "$out" | tail -n 20 >&2
      return 1
    fi
  fi
  export SEEDGATE_TEST_STANDARDWEBHOOKS="$STANDARDWEBHOOKS_DIR/node_modules"
}
