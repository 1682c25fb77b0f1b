#!/usr/bin/env bash
# Install what the production profile runs on, from Debian's packages: PostgreSQL (Rasa's
# tracker store, the chat conversations, the live-version pointer), Redis (Rasa's lock
# store, fair-use counters, turns in flight) and nginx (the one public origin).
# Idempotent: when everything is present it does nothing. The services are not enabled
# system-wide; scripts/prod.sh starts private instances under var/prod/.
set -euo pipefail

have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for package in postgresql redis-server nginx-light; do
  # nginx-light or any other nginx flavour will do.
  if [ "$package" = nginx-light ] && command -v nginx >/dev/null 2>&1; then continue; fi
  have "$package" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "[prod] postgresql, redis-server and nginx are installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "[prod] error: apt-get not found; install ${missing[*]} with this system's package manager" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "[prod] error: installing ${missing[*]} needs root; run as root or:" \
       "sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "[prod] installing ${missing[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# The packages' own services are not needed (private instances are started instead);
# policy-rc.d keeps apt from starting them.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "[prod] installed: ${missing[*]}"
