#!/usr/bin/env bash
# Runs before every npm script that needs the local stack (start, stop, test, bench), in plain bash
# so that it works before node_modules exists: checks Node, installs dependencies when needed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if ! command -v node >/dev/null 2>&1; then
  echo "Duemap needs Node.js 20 (see .nvmrc): install it, e.g. with \`nvm install 20\`." >&2
  exit 1
fi
node_version="$(node -p 'process.versions.node')"
IFS=. read -r major minor _ <<<"$node_version"
if [[ "$major" != 20 || "$minor" -lt 11 ]]; then
  echo "Duemap needs Node.js 20.11 or a later 20.x (see .nvmrc), but this is Node.js $node_version: switch with \`nvm use\` or install Node.js 20." >&2
  exit 1
fi

# A fresh clone, or a lock file changed by a pull: install what the lock file says.
# `npm install`, not `npm ci`: registries that do not serve other platforms' optional binaries
# (@swc/core-darwin-*, @bufbuild/buf-win32-*) leave them out of the lock, and npm 11's `npm ci`
# then refuses the lock as out of sync (npm/cli#9846). `npm install` installs the locked versions
# all the same and leaves the lock untouched.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "Installing dependencies (npm install, from package-lock.json)…" >&2
  npm install --no-audit --no-fund
fi

# The console's browser tests drive Debian's Chromium through playwright-core, which downloads no
# browser; fonts-noto-cjk lets its screenshots show Chinese. Installed once, where apt-get can.
if [[ ! -x /usr/bin/chromium ]] && command -v apt-get >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]]; then
    echo "Installing Chromium for the console's browser tests (apt-get install chromium fonts-noto-cjk)…" >&2
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }; then
      echo "Chromium could not be installed: the console's browser tests (e2e/console.e2e-spec.ts) will fail until \`apt-get install chromium\` works." >&2
    fi
  else
    echo "The console's browser tests need Chromium: \`sudo apt-get install chromium fonts-noto-cjk\`." >&2
  fi
fi
