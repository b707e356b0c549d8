#!/usr/bin/env bash
# `npm start`: build the extension and open a real VS Code on a throw-away COPY of
# test/fixtures/sample-workspace with the extension loaded from this checkout
# (extensionDevelopmentPath).
#   - With a desktop VS Code (`code` on PATH): code --extensionDevelopmentPath=<repo> <copy>.
#   - Otherwise: code-server (installed by test/e2e/setup.sh on first use) on 127.0.0.1:$PORT
#     (default 8080); open the printed URL. Runs until Ctrl+C, then removes the copy.
# Env: PORT, USE_CODE_SERVER=1 (use code-server even when `code` exists).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"
PORT=${PORT:-8080}

[ -d node_modules ] || npm ci
node esbuild.mjs
WS_PARENT=$(mktemp -d "${TMPDIR:-/tmp}/related-work-start.XXXXXX")
WS="$WS_PARENT/sample-workspace"
cp -r test/fixtures/sample-workspace "$WS"

# A desktop VS Code (not code-server's remote CLI, which is also called `code`).
CODE_BIN=$(command -v code || true)
if [ -z "${USE_CODE_SERVER:-}" ] && [ -n "$CODE_BIN" ] && ! readlink -f "$CODE_BIN" | grep -qE 'remote-cli|code-server'; then
  echo "Opening VS Code on $WS with the extension from $REPO (close the window to finish)"
  trap 'rm -rf "$WS_PARENT"' EXIT
  code --new-window --wait --extensionDevelopmentPath="$REPO" "$WS"
  exit 0
fi

[ -f "$CODE_SERVER_ENTRY" ] || bash "$E2E_DIR/setup.sh"
UD="$WS_PARENT/user-data" EXTS="$WS_PARENT/extensions"
mkdir -p "$EXTS"
write_quiet_settings "$UD"
trap 'cs_stop_all; rm -rf "$WS_PARENT"; echo; echo "stopped; removed $WS_PARENT"' EXIT
trap 'exit 0' INT TERM
# enable-smoke-test-driver: a built workbench honours the extensionDevelopmentPath payload only then.
cs_start "$PORT" "$UD" "$EXTS" "$WS_PARENT/code-server.log" --vscode-option enable-smoke-test-driver "$WS"
cs_wait "$PORT" || { tail -20 "$WS_PARENT/code-server.log"; exit 1; }
URL=$(node -e '
  const [base, ws, dev, authority] = process.argv.slice(1);
  const payload = [["extensionDevelopmentPath", `vscode-remote://${authority}${dev}`], ["skipWelcome", "true"]];
  console.log(`${base}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
' "http://127.0.0.1:$PORT" "$WS" "$REPO" "$(cs_remote_authority "$PORT")")
cat <<EOF

  Related Work is running in VS Code (code-server $(node "$CODE_SERVER_ENTRY" --version | head -1 | cut -d' ' -f1)) on a copy of the sample workspace.
  Open this URL in a browser (the title bar reads "[Extension Development Host]"):

  $URL

  Try: open paper.tex, type \\cite{medusa ; open draft.md, type [@deberta ; hover a cited key.
  After changing the code: run \`node esbuild.mjs\` and reload the browser window.
  Workspace copy: $WS   code-server log: $WS_PARENT/code-server.log
  Press Ctrl+C to stop.

EOF
wait "$CS_PID"
