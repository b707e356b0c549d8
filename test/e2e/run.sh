#!/usr/bin/env bash
# End-to-end tests in a real VS Code (code-server = VS Code 1.139 server + web workbench, in Debian's
# chromium). Two suites:
#   1. UI (test/e2e/ui.e2e.ts): the extension INSTALLED FROM THE .vsix (`npm run package`), driven
#      with playwright-core like a user: Quick Open, typing citations, the suggest widget, hovers.
#   2. Extension host (test/e2e/suite/*): mocha inside the extension host through
#      @vscode/test-electron's runTests(), with vscodeExecutablePath = test/e2e/code-shim.sh.
# Prints each suite's results and, last, `N passed, N failed` summed over both; exits non-zero on
# any failure. Screenshots: test-results/screenshots/, logs: test-results/e2e-logs/.
# Env: E2E_UI_PORT (18931), EXT_TESTS_PORT (18932), E2E_SKIP_SETUP=1, E2E_SKIP_PACKAGE=1 (reuse
#      related-work.vsix), E2E_ONLY=ui|ext, KEEP_E2E_RUN=1 (keep the scratch dir).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"
UI_PORT=${E2E_UI_PORT:-18931}
export EXT_TESTS_PORT=${EXT_TESTS_PORT:-18932}
SHOTS="$REPO/test-results/screenshots"
LOGS="$REPO/test-results/e2e-logs"
T0=$(date +%s)
say() { echo "[e2e +$(( $(date +%s) - T0 ))s] $*"; }
passed=0 failed=0 summary=()
die() { say "$*"; echo "$passed passed, $((failed + 1)) failed"; exit 1; }

RUN=$(mktemp -d "${TMPDIR:-/tmp}/related-work-e2e.XXXXXX")
cleanup() {
  cs_stop_all
  mkdir -p "$LOGS"
  # Keep the logs (code-server, extension host, the "Related Work" output channel) for CI artifacts.
  for f in "$RUN"/*.log; do [ -f "$f" ] && cp "$f" "$LOGS/"; done
  for ud in "$RUN"/*user-data; do [ -d "$ud/logs" ] && cp -r "$ud/logs" "$LOGS/$(basename "$ud")-logs"; done
  [ -n "${KEEP_E2E_RUN:-}" ] && say "scratch dir kept: $RUN" || rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf "$LOGS" "$SHOTS"; mkdir -p "$SHOTS" "$LOGS"     # no stale screenshots from an earlier run

# --- toolchain, extension package, compiled tests ------------------------------------------------
if [ -z "${E2E_SKIP_SETUP:-}" ]; then
  bash "$E2E_DIR/setup.sh" || die "setup failed"
fi
say "node $(node --version) ($(command -v node)), code-server in $TOOLS/cs"
vsix_ok=1
if [ "${E2E_ONLY:-}" = ext ]; then
  : # the extension-host suite loads the extension from the checkout, no .vsix needed
elif [ -z "${E2E_SKIP_PACKAGE:-}" ] || [ ! -f related-work.vsix ]; then
  say "npm run package"
  rm -f related-work.vsix
  if ! npm run -s package > "$RUN/package.log" 2>&1; then
    sed 's/^/    /' "$RUN/package.log" | tail -30
    say "npm run package failed: the UI suite (which installs the .vsix) counts as failed"
    vsix_ok=
  fi
fi
if [ "${E2E_ONLY:-}" = ext ]; then
  :
elif [ -n "$vsix_ok" ] && [ -f related-work.vsix ]; then
  say "related-work.vsix: $(du -h related-work.vsix | cut -f1)"
else
  vsix_ok=; failed=$((failed + 1)); summary+=("npm run package: 0 passed, 1 failed")
fi
node esbuild.mjs --tests > "$RUN/build-tests.log" 2>&1 || { tail -30 "$RUN/build-tests.log"; die "node esbuild.mjs --tests failed"; }

# count SUITE LOGFILE EXIT_CODE: adds the suite's last `N passed, N failed` line (or 1 failure).
count() {
  local line p f
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$2" | tail -1)
  if [ -n "$line" ]; then
    p=${line%% passed*}; f=${line#*, }; f=${f%% failed}
    [ "$3" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  else
    p=0 f=1; line="no result line, exit code $3"
  fi
  passed=$((passed + p)) failed=$((failed + f))
  summary+=("$1: $p passed, $f failed")
}

# --- 1. UI suite: install the .vsix into a fresh extensions dir, open the sample workspace --------
if [ -n "$vsix_ok" ] && { [ "${E2E_ONLY:-ui}" = ui ] || [ -z "${E2E_ONLY:-}" ]; }; then
  say "UI suite: install related-work.vsix into a throw-away code-server profile"
  UD="$RUN/ui-user-data" EXTS="$RUN/ui-extensions" WS="$RUN/ui-ws"
  mkdir -p "$EXTS" "$WS"; cp -r test/fixtures/sample-workspace/. "$WS/"
  # Plus a library whose paper holds HTML/script (the panel must show it as text), next to the sample.
  cp test/fixtures/untrusted/untrusted-library.json "$WS/"
  mkdir -p "$WS/.vscode"
  # addOnInsert: the drafting tests check that a cited paper's entry is appended to refs.bib.
  printf '{\n  "relatedWork.sampleCorpus": "always",\n  "relatedWork.corpus": ["untrusted-library.json"],\n  "relatedWork.bibliography.addOnInsert": true\n}\n' > "$WS/.vscode/settings.json"
  write_quiet_settings "$UD"
  {
    node "$CODE_SERVER_ENTRY" --user-data-dir "$UD" --extensions-dir "$EXTS" --install-extension "$REPO/related-work.vsix" 2>&1
    installed=$(node "$CODE_SERVER_ENTRY" --user-data-dir "$UD" --extensions-dir "$EXTS" --list-extensions --show-versions 2>/dev/null)
    version=$(node -p "require('./package.json').version")
    echo "installed extensions: $installed"
    if grep -qx "related-work.related-work@$version" <<< "$installed"; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
  } > "$RUN/vsix-install.log"
  cat "$RUN/vsix-install.log" | sed 's/^/    /'
  count "vsix install" "$RUN/vsix-install.log" 0

  cs_start "$UI_PORT" "$UD" "$EXTS" "$RUN/ui-code-server.log" "$WS"
  if cs_wait "$UI_PORT"; then
    say "code-server (pid $CS_PID) on http://127.0.0.1:$UI_PORT"
    rc=0
    CS_URL="http://127.0.0.1:$UI_PORT" WS_DIR="$WS" SHOTS="$SHOTS" \
      timeout -k 10 900 node out/test/e2e/ui.e2e.js 2>&1 | tee "$RUN/ui.log" || rc=$?
    count "UI" "$RUN/ui.log" "$rc"
  else
    tail -20 "$RUN/ui-code-server.log"
    echo "0 passed, 1 failed" > "$RUN/ui.log"; count "UI" "$RUN/ui.log" 1
  fi
  cs_stop_all          # free the memory before the next suite (2-core CI machines)
fi

# --- 2. extension-host suite through @vscode/test-electron runTests + code-shim.sh -----------------
if [ "${E2E_ONLY:-ext}" = ext ] || [ -z "${E2E_ONLY:-}" ]; then
  say "extension-host suite: runTests() with vscodeExecutablePath=test/e2e/code-shim.sh"
  rc=0
  E2E_RUN_DIR="$RUN" SHOTS="$SHOTS" timeout -k 10 900 node out/test/e2e/run-ext-tests.js 2>&1 | tee "$RUN/ext-tests.log" || rc=$?
  count "extension host" "$RUN/ext-tests.log" "$rc"
fi

say "done in $(( $(date +%s) - T0 ))s; screenshots in test-results/screenshots/, logs in test-results/e2e-logs/"
for s in "${summary[@]}"; do echo "  $s"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
