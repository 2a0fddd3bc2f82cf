# Sourced by run.sh and test.sh: installs what Seedgate needs from Debian's packages when it is missing.
# Usage: ensure_packages ffmpeg [more commands…]  (each command name is also its Debian package name)
ensure_packages() {
  local missing=()
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing ${missing[*]} (Debian packages)…" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "The .NET 10 SDK is required: https://dotnet.microsoft.com/download (Debian: packages-microsoft-prod, then apt-get install dotnet-sdk-10.0)." >&2
    exit 1
  fi
}
