#!/usr/bin/env bash
# Installs code-server (VS Code for the browser) into a per-version cache OUTSIDE the repository,
# without any download besides the npm registry. Used by scripts/integration.mjs (runner A).
#
#   bash scripts/installCodeServer.sh            # install (or reuse) and print the code-server directory
#   CODE_SERVER_VERSION=4.100.3 METACOT_CACHE=/some/dir bash scripts/installCodeServer.sh
#
# Result: $METACOT_CACHE/code-server-<version>/node_modules/code-server (entry: out/node/entry.js).
# The marker file .metacot-install-complete is written only after every step succeeded; a directory
# without it is never used (a half-finished install is removed and redone).
#
# Why not a plain `npm install code-server`: its postinstall refuses to run as root without
# npm_config_unsafe_perm=true, then runs `npm install` in lib/vscode, whose @vscode/ripgrep downloads rg
# from GitHub (unreachable here). So: install every package with scripts off, then build only the native
# modules that matter (kerberos, @vscode/spdlog, native-watchdog, node-pty, argon2) and give
# @vscode/ripgrep Debian's rg. Prerequisites (Debian): ripgrep, libkrb5-dev, python3, make, g++.
set -euo pipefail

VERSION="${CODE_SERVER_VERSION:-4.100.3}"
CACHE="${METACOT_CACHE:-$HOME/.cache/metacot}"
DEST="$CACHE/code-server-$VERSION"
MARKER="$DEST/.metacot-install-complete"
CS_REL="node_modules/code-server"

log() { printf '[installCodeServer] %s\n' "$*" >&2; }

if [ -f "$MARKER" ]; then
  log "cached: $DEST ($(cat "$MARKER"))"
  echo "$DEST/$CS_REL"
  exit 0
fi

missing=()
command -v rg >/dev/null || missing+=("ripgrep (rg)")
command -v krb5-config >/dev/null || [ -f /usr/include/gssapi/gssapi.h ] || missing+=("libkrb5-dev")
command -v python3 >/dev/null || missing+=("python3")
command -v make >/dev/null || missing+=("make")
command -v g++ >/dev/null || missing+=("g++")
if [ "$(node -p 'process.versions.node.split(".")[0]')" != "20" ]; then
  missing+=("Node 20 (found $(node -v); code-server $VERSION only runs on Node 20)")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  log "missing prerequisites: ${missing[*]}"
  log "on Debian: apt-get install -y ripgrep libkrb5-dev python3 make g++"
  exit 2
fi

mkdir -p "$CACHE"
# One installer at a time per cache directory (CI jobs or engineers sharing a machine).
exec 9>"$CACHE/.code-server-$VERSION.lock"
if ! flock -w 1800 9; then
  log "timed out waiting for another install holding $CACHE/.code-server-$VERSION.lock"
  exit 1
fi
if [ -f "$MARKER" ]; then
  log "installed meanwhile by another process: $DEST"
  echo "$DEST/$CS_REL"
  exit 0
fi

started=$(date +%s)
rm -rf "$DEST"
mkdir -p "$DEST"
cd "$DEST"

# Scripts stay off for every npm call below except the explicit rebuilds; the user's or project's
# ignore-scripts setting must not matter, so it is passed on each command line.
export npm_config_unsafe_perm=true
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
NPM_QUIET=(--no-audit --no-fund --loglevel=error)

cat > package.json <<EOF
{ "name": "metacot-code-server-cache", "private": true, "description": "code-server $VERSION installed by scripts/installCodeServer.sh" }
EOF

log "npm install code-server@$VERSION (scripts off)"
npm install --ignore-scripts "${NPM_QUIET[@]}" "code-server@$VERSION"
CS="$DEST/$CS_REL"
[ -f "$CS/out/node/entry.js" ] || { log "code-server package incomplete: $CS/out/node/entry.js missing"; exit 1; }

log "lib/vscode: npm install --omit=dev (scripts off)"
(cd "$CS/lib/vscode" && npm install --omit=dev --ignore-scripts "${NPM_QUIET[@]}")

log "lib/vscode: rebuilding native modules"
for mod in kerberos @vscode/spdlog native-watchdog; do
  (cd "$CS/lib/vscode" && npm rebuild --ignore-scripts=false --foreground-scripts=false "${NPM_QUIET[@]}" "$mod") \
    || { log "npm rebuild $mod failed"; exit 1; }
done
# node-pty's install step builds pty.node, then a post-step that writes compile_commands.json fails
# (harmless); judge it by the binary, not the exit status.
if ! (cd "$CS/lib/vscode" && npm rebuild --ignore-scripts=false "${NPM_QUIET[@]}" node-pty) >"$DEST/node-pty-rebuild.log" 2>&1; then
  log "npm rebuild node-pty exited non-zero (expected: its compile_commands post-step; log: $DEST/node-pty-rebuild.log)"
fi
[ -f "$CS/lib/vscode/node_modules/node-pty/build/Release/pty.node" ] \
  || { log "node-pty: build/Release/pty.node was not built"; exit 1; }
for f in kerberos/build/Release/kerberos.node @vscode/spdlog/build/Release/spdlog.node \
         native-watchdog/build/Release/watchdog.node; do
  [ -f "$CS/lib/vscode/node_modules/$f" ] || { log "native module not built: $f"; exit 1; }
done

log "lib/vscode: Debian rg into @vscode/ripgrep/bin"
mkdir -p "$CS/lib/vscode/node_modules/@vscode/ripgrep/bin"
cp "$(command -v rg)" "$CS/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
chmod +x "$CS/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"

# What code-server's postinstall.sh does besides npm install: asar links and the remote-cli scripts.
ln -sfn node_modules "$CS/lib/vscode/node_modules.asar"
(cd "$CS/lib/vscode/bin/remote-cli" && ln -sfn code-linux.sh code-server)
(cd "$CS/lib/vscode/bin/helpers" && ln -sfn browser-linux.sh browser.sh)

log "lib/vscode/extensions: npm install --omit=dev (scripts off)"
(cd "$CS/lib/vscode/extensions" && npm install --omit=dev --ignore-scripts "${NPM_QUIET[@]}")
[ -d "$CS/lib/vscode/extensions/node_modules" ] && ln -sfn node_modules "$CS/lib/vscode/extensions/node_modules.asar"

log "top level: npm rebuild argon2"
(cd "$DEST" && npm rebuild --ignore-scripts=false "${NPM_QUIET[@]}" argon2)
ls "$DEST"/node_modules/argon2/lib/binding/*/argon2.node >/dev/null 2>&1 \
  || ls "$DEST"/node_modules/argon2/build/Release/argon2.node >/dev/null 2>&1 \
  || { log "argon2 native binding missing"; exit 1; }

log "smoke test: code-server --version"
# code-server writes a default config under XDG_CONFIG_HOME on every start: keep that out of $HOME.
smoke_home=$(mktemp -d)
ver_out=$(XDG_CONFIG_HOME="$smoke_home" XDG_DATA_HOME="$smoke_home" node "$CS/out/node/entry.js" --version 2>/dev/null) || { log "code-server --version failed: $ver_out"; exit 1; }
rm -rf "$smoke_home"
# stdout also carries an "info  Wrote default config file" line; the version line starts with the version.
if ! printf '%s\n' "$ver_out" | grep -q "^$VERSION "; then
  log "unexpected version output: $ver_out"; exit 1
fi

echo "code-server $VERSION installed in $(( $(date +%s) - started ))s on $(date -u +%Y-%m-%dT%H:%M:%SZ) with node $(node -v)" > "$MARKER"
log "done: $(cat "$MARKER")"
echo "$CS"
