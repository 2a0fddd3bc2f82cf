# Sourced by test.sh (bash): a throwaway PostgreSQL server for the tests.
#
#   source scripts/postgres.sh
#   postgres_start || exit 1   # exports SEEDGATE_TEST_POSTGRES (an Npgsql connection string)
#   …run the tests…
#   postgres_stop              # stops the server and removes its directory
#
# postgres_start installs Debian's `postgresql` package when no initdb is found, creates a fresh cluster in a
# new temp directory (trust auth, listening on 127.0.0.1 only, fsync off: test data only), and starts it on a
# free port (never 5432, so a system server is never touched). As root the server runs as the `postgres` OS
# user, because initdb and postgres refuse to run as root. When SEEDGATE_TEST_POSTGRES is already set, it uses
# that server and starts nothing (postgres_stop then does nothing either).
#
# Errors are reported and returned (never `exit`), so the caller decides; safe under `set -euo pipefail`.

_SEEDGATE_PG_DIR=""
_SEEDGATE_PG_BIN=""
_SEEDGATE_PG_AS=()

# The newest installed server's bin directory, or nothing.
_postgres_bindir() {
  local initdb
  initdb="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$initdb" ] && dirname "$initdb"
  return 0
}

_postgres_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "postgres.sh: PostgreSQL is missing and installing it needs root (no sudo)." >&2; return 1; }
    sudo="sudo"
  fi
  echo "Installing PostgreSQL (Debian package postgresql)…" >&2
  $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
}

# Runs a server binary as the user that owns the cluster.
_postgres_run() {
  "${_SEEDGATE_PG_AS[@]}" "$@"
}

# True when something already listens on 127.0.0.1:$1.
_postgres_port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

postgres_start() {
  if [ -n "${SEEDGATE_TEST_POSTGRES:-}" ]; then
    echo "Using the PostgreSQL server in SEEDGATE_TEST_POSTGRES." >&2
    return 0
  fi

  _SEEDGATE_PG_BIN="$(_postgres_bindir)"
  if [ -z "$_SEEDGATE_PG_BIN" ]; then
    _postgres_install || { echo "postgres.sh: installing PostgreSQL failed." >&2; return 1; }
    _SEEDGATE_PG_BIN="$(_postgres_bindir)"
    [ -n "$_SEEDGATE_PG_BIN" ] || { echo "postgres.sh: no /usr/lib/postgresql/*/bin/initdb after installing postgresql." >&2; return 1; }
  fi

  local base="${TMPDIR:-/tmp}"
  _SEEDGATE_PG_AS=()
  if [ "$(id -u)" -eq 0 ]; then
    id -u postgres >/dev/null 2>&1 || { echo "postgres.sh: running as root, but there is no 'postgres' OS user to run the server." >&2; return 1; }
    _SEEDGATE_PG_AS=(runuser -u postgres --)
    # The server user must be able to reach the directory; a root-only TMPDIR would stop it.
    runuser -u postgres -- test -w "$base" -a -x "$base" 2>/dev/null || base=/tmp
  fi

  local dir
  dir="$(mktemp -d "$base/seedgate-pg.XXXXXX")" || { echo "postgres.sh: cannot create a temp directory in $base." >&2; return 1; }
  _SEEDGATE_PG_DIR="$dir"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir" || { postgres_stop; return 1; }
  fi

  # Superuser "postgres" whoever runs it; trust is safe because the server only listens on 127.0.0.1 and on a
  # socket inside this private directory.
  if ! _postgres_run "$_SEEDGATE_PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale --no-sync \
      >"$dir/initdb.log" 2>&1; then
    echo "postgres.sh: initdb failed:" >&2
    tail -n 20 "$dir/initdb.log" >&2
    postgres_stop
    return 1
  fi

  # A test cluster: durability off for speed, room for many small connection pools (each store opens its own).
  cat >>"$dir/data/postgresql.conf" <<EOF

# seedgate test cluster (scripts/postgres.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

  # A random free port; when another process takes it in the meantime the start fails and the next port is tried.
  local attempt port started=""
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    _postgres_port_busy "$port" && continue
    if _postgres_run "$_SEEDGATE_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t 60 start \
        >"$dir/pg_ctl.log" 2>&1; then
      started=1
      break
    fi
    # Only a port clash is worth another try.
    grep -q "could not bind\|Address already in use" "$dir/server.log" 2>/dev/null || break
  done

  if [ -z "$started" ]; then
    echo "postgres.sh: the PostgreSQL server did not start (port $port). Server log:" >&2
    tail -n 30 "$dir/server.log" "$dir/pg_ctl.log" >&2 2>/dev/null || true
    postgres_stop
    return 1
  fi

  export SEEDGATE_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  echo "PostgreSQL $("$_SEEDGATE_PG_BIN/postgres" -V | awk '{print $3}') test server on 127.0.0.1:$port ($dir)." >&2
  return 0
}

postgres_stop() {
  [ -n "$_SEEDGATE_PG_DIR" ] || return 0
  local dir="$_SEEDGATE_PG_DIR"
  if [ -f "$dir/data/postmaster.pid" ]; then
    # Throwaway data: an immediate stop is enough and never waits on clients.
    _postgres_run "$_SEEDGATE_PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
      echo "postgres.sh: pg_ctl stop failed for $dir/data." >&2
  fi
  rm -rf "$dir"
  _SEEDGATE_PG_DIR=""
  unset SEEDGATE_TEST_POSTGRES
  return 0
}
