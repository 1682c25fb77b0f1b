#!/usr/bin/env bash
# Install what the browser tests (tests/web) drive: Debian's chromium, and CJK fonts so
# screenshots of the Chinese pages show characters rather than boxes. Idempotent: when
# both are present it does nothing, so `make browser` costs one dpkg query.
set -euo pipefail

have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

if [ -x /usr/bin/chromium ] && have fonts-noto-cjk; then
  echo "[browser] chromium and fonts-noto-cjk are installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "[browser] error: apt-get not found; install chromium (at /usr/bin/chromium) and" \
       "Noto CJK fonts with this system's package manager" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "[browser] error: installing chromium needs root; run as root or:" \
       "sudo apt-get update && sudo apt-get install -y chromium fonts-noto-cjk" >&2
  exit 1
fi
echo "[browser] installing chromium and fonts-noto-cjk (apt-get, a few minutes the first time)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk
if [ ! -x /usr/bin/chromium ]; then
  echo "[browser] error: apt-get finished but /usr/bin/chromium is missing" >&2
  exit 1
fi
echo "[browser] $(/usr/bin/chromium --version 2>/dev/null || echo chromium) ready"
