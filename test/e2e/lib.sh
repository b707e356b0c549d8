# Shared shell helpers for the e2e scripts (sourced, not run): start/stop code-server, quiet settings.
# code-server = the VS Code server + web workbench (VS Code 1.139), installed by test/e2e/setup.sh.
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$E2E_DIR/../.." && pwd)
TOOLS=${TOOLS:-$REPO/.tools}
CODE_SERVER_ENTRY="$TOOLS/cs/node_modules/code-server/out/node/entry.js"
export PATH="$TOOLS/bin:$PATH"     # Node 24 (code-server requires it; vsce 4 needs >= 22) first

# Writes <user-data-dir>/User/settings.json: no welcome page, tips, AI/chat, git, workspace trust,
# update checks or extension gallery lookups; keeps the UI deterministic and offline.
write_quiet_settings() {
  mkdir -p "$1/User"
  cat > "$1/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoUpdate": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "chat.disableAIFeatures": true,
  "git.enabled": false,
  "files.autoSave": "off",
  "editor.wordBasedSuggestions": "off",
  "editor.hover.delay": 200
}
JSON
}

CS_PGIDS=()
# cs_start PORT USER_DATA_DIR EXTENSIONS_DIR LOGFILE [extra code-server args...] [folder]
# Starts code-server on 127.0.0.1:PORT in its own process group (setsid), so cs_stop_all kills
# exactly what was started here. Sets CS_PID.
cs_start() {
  local port=$1 ud=$2 exts=$3 log=$4; shift 4
  [ -f "$CODE_SERVER_ENTRY" ] || { echo "code-server is missing: run bash test/e2e/setup.sh" >&2; return 2; }
  if curl -s -o /dev/null "http://127.0.0.1:$port/healthz"; then
    echo "port $port is already in use" >&2; return 2
  fi
  local cfgdir; cfgdir=$(dirname "$log")
  # EXTENSIONS_GALLERY='{}': no (unreachable) open-vsx gallery; --config: nothing written to ~/.config.
  EXTENSIONS_GALLERY='{}' setsid node "$CODE_SERVER_ENTRY" --auth none --bind-addr "127.0.0.1:$port" \
    --config "$cfgdir/code-server-config.yaml" --disable-telemetry --disable-update-check \
    --disable-workspace-trust --disable-getting-started-override \
    --user-data-dir "$ud" --extensions-dir "$exts" "$@" > "$log" 2>&1 < /dev/null &
  CS_PID=$!
  CS_PGIDS+=("$CS_PID")
}

# cs_wait PORT [TIMEOUT_SECONDS]: polls /healthz until code-server answers.
cs_wait() {
  local port=$1 timeout=${2:-90} end=$(( $(date +%s) + ${2:-90} ))
  while [ "$(date +%s)" -lt "$end" ]; do
    curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && return 0
    kill -0 "$CS_PID" 2>/dev/null || { echo "code-server exited during startup" >&2; return 1; }
    sleep 0.3
  done
  echo "code-server did not answer on port $port within ${timeout}s" >&2
  return 1
}

# Stops every code-server started by cs_start (whole process group: server, extension host,
# language server), politely first.
cs_stop_all() {
  local g i
  for g in "${CS_PGIDS[@]}"; do kill -TERM -- "-$g" 2>/dev/null || true; done
  for i in $(seq 1 30); do
    local alive=
    for g in "${CS_PGIDS[@]}"; do kill -0 -- "-$g" 2>/dev/null && alive=1; done
    [ -n "$alive" ] || break
    sleep 0.2
  done
  for g in "${CS_PGIDS[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
  CS_PGIDS=()
}

# cs_remote_authority PORT: the workbench's remote authority (code-server: literally "remote"),
# needed for vscode-remote:// URIs in the ?payload= of development/test runs.
cs_remote_authority() {
  local a
  a=$(curl -sf "http://127.0.0.1:$1/" | sed 's/&quot;/"/g' | grep -o '"remoteAuthority":"[^"]*"' | head -1 | cut -d'"' -f4)
  echo "${a:-remote}"
}
