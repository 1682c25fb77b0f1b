#!/usr/bin/env bash
# Install what the browser tests (tests/web) drive: Debian's chromium, CJK fonts so
# screenshots of the Chinese pages show characters rather than boxes, and axe-core (the
# accessibility engine the tests inject into every page) from the npm registry, pinned by
# tests/web/package-lock.json. Idempotent: when everything is present it does nothing, so
# `make browser` costs a dpkg query and a file comparison.
set -euo pipefail
cd "$(dirname "$0")/.."

have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "[browser] error: apt-get not found; install $* with this system's package manager" >&2
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "[browser] error: installing $* needs root; run as root or:" \
         "sudo apt-get update && sudo apt-get install -y $*" >&2
    exit 1
  fi
  echo "[browser] installing $* (apt-get, a few minutes the first time)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "$@"
}

if [ -x /usr/bin/chromium ] && have fonts-noto-cjk; then
  echo "[browser] chromium and fonts-noto-cjk are installed"
else
  apt_install chromium fonts-noto-cjk
  if [ ! -x /usr/bin/chromium ]; then
    echo "[browser] error: apt-get finished but /usr/bin/chromium is missing" >&2
    exit 1
  fi
  echo "[browser] $(/usr/bin/chromium --version 2>/dev/null || echo chromium) ready"
fi

# axe-core: `npm ci` installs exactly the locked version (integrity-checked) into the
# gitignored tests/web/node_modules. npm keeps a copy of the lock it installed from in
# node_modules/.package-lock.json; when that matches, nothing changed since last time.
TOOLS=tests/web
if ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
if [ -f "$TOOLS/node_modules/axe-core/axe.min.js" ] &&
   node -e 'const [a, b] = process.argv.slice(1).map(f => require(f).packages["node_modules/axe-core"]);
            process.exit(a && b && a.version === b.version && a.integrity === b.integrity ? 0 : 1)' \
        "$PWD/$TOOLS/package-lock.json" "$PWD/$TOOLS/node_modules/.package-lock.json" 2>/dev/null; then
  echo "[browser] axe-core is installed ($TOOLS/node_modules)"
else
  echo "[browser] installing axe-core with npm ci into $TOOLS/node_modules"
  npm ci --prefix "$TOOLS" --no-audit --no-fund --loglevel=error
fi
