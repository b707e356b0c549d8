#!/usr/bin/env bash
# A stand-in "VS Code executable" for @vscode/test-electron's runTests({ vscodeExecutablePath }):
# no Electron and no VS Code download. It takes the arguments test-electron passes
# (--extensionDevelopmentPath=, --extensionTestsPath=, --user-data-dir=, --extensions-dir=, a folder),
# starts code-server on 127.0.0.1:$EXT_TESTS_PORT (default 18932) with the smoke-test driver enabled,
# runs the tests inside its extension host (out/test/e2e/ext-host.js) and exits with their exit code.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PORT=${EXT_TESTS_PORT:-18932}
DEV= TESTS= UD= EXTS= WS=
for a in "$@"; do
  case "$a" in
    --extensionDevelopmentPath=*) [ -n "$DEV" ] || DEV="${a#*=}" ;;
    --extensionTestsPath=*) TESTS="${a#*=}" ;;
    --user-data-dir=*) UD="${a#*=}" ;;
    --extensions-dir=*) EXTS="${a#*=}" ;;
    --*) ;;                  # --no-sandbox, --disable-updates, --skip-welcome, ...: not relevant here
    *) WS=$(cd "$a" && pwd) ;;
  esac
done
[ -n "$DEV" ] && [ -n "$TESTS" ] || { echo "code-shim: --extensionDevelopmentPath= and --extensionTestsPath= are required" >&2; exit 2; }
RUN=$(mktemp -d "${TMPDIR:-/tmp}/related-work-shim.XXXXXX")
UD=${UD:-$RUN/user-data} EXTS=${EXTS:-$RUN/extensions} WS=${WS:-$RUN/ws}
mkdir -p "$UD" "$EXTS" "$WS"
[ -f "$UD/User/settings.json" ] || write_quiet_settings "$UD"
# Under run.sh the log lands in its scratch dir (collected into test-results/e2e-logs).
LOG="${E2E_RUN_DIR:-$RUN}/ext-tests-code-server.log"

trap 'cs_stop_all; rm -rf "$RUN"' EXIT
trap 'exit 130' INT TERM
cs_start "$PORT" "$UD" "$EXTS" "$LOG" --vscode-option enable-smoke-test-driver "$WS"
cs_wait "$PORT" || { tail -20 "$LOG"; exit 1; }
echo "[code-shim] code-server $CS_PID on 127.0.0.1:$PORT (log $LOG)"
CS_URL="http://127.0.0.1:$PORT" WS_DIR="$WS" EXT_DEV_PATH="$DEV" EXT_TESTS_PATH="$TESTS" \
  node "$REPO/out/test/e2e/ext-host.js"
