#!/usr/bin/env bash
# Installs the Debian packages the test tiers need, only where missing:
#   chromium       real browser for the webview tests and for driving code-server
#   ripgrep        code-server's search needs an rg binary (its npm package would download one)
#   libkrb5-dev    headers for code-server's kerberos native module
#   unzip          lists the packaged .vsix in CI
set -euo pipefail
pkgs=(chromium ripgrep libkrb5-dev unzip)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensureSystemDeps: missing Debian packages: ${missing[*]} — install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "ensureSystemDeps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
