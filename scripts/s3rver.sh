# Sourced (bash) by test.sh, or by hand: a throw-away S3-compatible server (the npm package s3rver) for the
# S3 blob-store tests.
#   source scripts/s3rver.sh && s3rver_start   → exports SEEDGATE_TEST_S3 (service URL) and its credentials
#   s3rver_stop                                → stops it and deletes its data
# Installs s3rver into <repo>/.tools/s3rver (git-ignored) on first use; needs node and npm.
# Works from any working directory and leaves the caller's shell options (set -e etc.) as they were.

# Pinned: 3.7.1 is the last release; its CLI flags and default credentials (S3RVER/S3RVER) are what this uses.
S3RVER_VERSION="3.7.1"
S3RVER_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
S3RVER_TOOLS_DIR="$S3RVER_REPO_ROOT/.tools/s3rver"

_s3rver_error() {
  echo "s3rver: $*" >&2
}

# Installs s3rver when missing (or at another version). Returns non-zero with npm's output on failure.
s3rver_install() {
  local bin="$S3RVER_TOOLS_DIR/node_modules/.bin/s3rver"
  local pkg="$S3RVER_TOOLS_DIR/node_modules/s3rver/package.json"
  if [ -x "$bin" ] && grep -q "\"version\": \"$S3RVER_VERSION\"" "$pkg" 2>/dev/null; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    _s3rver_error "node and npm are required (Debian: apt-get install nodejs npm)."
    return 1
  fi
  echo "Installing s3rver@$S3RVER_VERSION into $S3RVER_TOOLS_DIR …" >&2
  mkdir -p "$S3RVER_TOOLS_DIR"
  local out
  if ! out="$(npm install --no-audit --no-fund --no-save --loglevel=error --prefix "$S3RVER_TOOLS_DIR" "s3rver@$S3RVER_VERSION" 2>&1)"; then
    _s3rver_error "npm install s3rver@$S3RVER_VERSION failed:"
    printf '%s\n' "$out" | tail -n 20 >&2
    return 1
  fi
  if [ ! -x "$bin" ]; then
    _s3rver_error "npm install finished but $bin is missing."
    return 1
  fi
}

# A TCP port nobody listens on right now (node is needed for s3rver anyway; a fresh Debian has no python or curl).
_s3rver_free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();});"
}

# Succeeds once the server answers HTTP (any status) on the URL.
_s3rver_answers() {
  node -e "require('http').get(process.argv[1],r=>{r.resume();process.exit(0);}).on('error',()=>process.exit(1)).setTimeout(1000,function(){this.destroy();});" "$1" 2>/dev/null
}

# Starts s3rver on 127.0.0.1 and a free port with a temporary data directory; waits until it answers (≤ 20 s).
s3rver_start() {
  if [ -n "${S3RVER_PID:-}" ] && kill -0 "$S3RVER_PID" 2>/dev/null; then
    return 0 # already running in this shell
  fi
  s3rver_install || return 1

  local attempt port
  for attempt in 1 2 3; do
    S3RVER_DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/seedgate-s3rver.XXXXXX")" || return 1
    S3RVER_LOG="$S3RVER_DATA_DIR.log"
    port="$(_s3rver_free_port)" || { _s3rver_error "could not find a free port (is node working?)."; return 1; }
    # s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node >= 17) only has in its
    # legacy provider: without it every truncated listing (paging) is a 500.
    NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--openssl-legacy-provider" \
      "$S3RVER_TOOLS_DIR/node_modules/.bin/s3rver" --address 127.0.0.1 --port "$port" \
      --directory "$S3RVER_DATA_DIR" --silent >"$S3RVER_LOG" 2>&1 &
    S3RVER_PID=$!

    local i
    for i in $(seq 1 100); do
      if ! kill -0 "$S3RVER_PID" 2>/dev/null; then
        break # exited: maybe the port was taken between the probe and the bind; try another
      fi
      if _s3rver_answers "http://127.0.0.1:$port/"; then
        export SEEDGATE_TEST_S3="http://127.0.0.1:$port"
        export SEEDGATE_TEST_S3_ACCESS_KEY="S3RVER"
        export SEEDGATE_TEST_S3_SECRET_KEY="S3RVER"
        export S3RVER_PID S3RVER_DATA_DIR S3RVER_LOG
        echo "s3rver $S3RVER_VERSION listening on $SEEDGATE_TEST_S3 (pid $S3RVER_PID, data $S3RVER_DATA_DIR)" >&2
        return 0
      fi
      sleep 0.2
    done

    if kill -0 "$S3RVER_PID" 2>/dev/null; then
      _s3rver_error "started (pid $S3RVER_PID) but did not answer on port $port within 20 s; log tail:"
      tail -n 30 "$S3RVER_LOG" >&2
      s3rver_stop
      return 1
    fi
    wait "$S3RVER_PID" 2>/dev/null || true
    _s3rver_error "exited at start (attempt $attempt, port $port); log tail:"
    tail -n 30 "$S3RVER_LOG" >&2
    rm -rf "$S3RVER_DATA_DIR" "$S3RVER_LOG"
    unset S3RVER_PID S3RVER_DATA_DIR S3RVER_LOG
  done
  _s3rver_error "could not start after 3 attempts."
  return 1
}

# Stops the server started by s3rver_start in this shell and removes its data. Safe to call twice.
s3rver_stop() {
  if [ -n "${S3RVER_PID:-}" ]; then
    if kill -0 "$S3RVER_PID" 2>/dev/null; then
      kill "$S3RVER_PID" 2>/dev/null || true
      local i
      for i in $(seq 1 50); do
        kill -0 "$S3RVER_PID" 2>/dev/null || break
        sleep 0.1
      done
      kill -9 "$S3RVER_PID" 2>/dev/null || true
    fi
    wait "$S3RVER_PID" 2>/dev/null || true
  fi
  [ -n "${S3RVER_DATA_DIR:-}" ] && rm -rf "$S3RVER_DATA_DIR"
  [ -n "${S3RVER_LOG:-}" ] && rm -f "$S3RVER_LOG"
  unset S3RVER_PID S3RVER_DATA_DIR S3RVER_LOG SEEDGATE_TEST_S3 SEEDGATE_TEST_S3_ACCESS_KEY SEEDGATE_TEST_S3_SECRET_KEY
  return 0
}
