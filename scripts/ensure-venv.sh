#!/usr/bin/env bash
# Create or update a virtual environment only when its requirements changed.
# usage: ensure-venv.sh VENV_DIR PYTHON REQUIREMENTS_FILE... [-- EXTRA_PIP_ARGS...]
# The stamp inside the venv holds a hash of the interpreter version and the requirement
# files, so an unchanged environment costs one hash, and a changed one is rebuilt in place.
set -euo pipefail
venv=$1; python=$2; shift 2
reqs=(); extra=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; extra=("$@"); break; fi
  reqs+=("$1"); shift
done
key=$( { "$python" --version 2>&1; cat "${reqs[@]}"; printf '%s\n' "${extra[@]:-}"; } | sha256sum | cut -c1-16)
stamp="$venv/.policybot-stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && [ -x "$venv/bin/python" ]; then
  echo "[setup] $venv is up to date"
  exit 0
fi
echo "[setup] preparing $venv with $("$python" --version 2>&1) (requirements changed or first run)"
# A venv left half-made by an interrupted run (no pip) is made again from scratch.
if [ -x "$venv/bin/python" ] && ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
  rm -rf "$venv"
fi
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
args=()
for r in "${reqs[@]}"; do args+=(-r "$r"); done
"$venv/bin/python" -m pip install --quiet --progress-bar off "${args[@]}"
if [ ${#extra[@]} -gt 0 ] && [ -n "${extra[0]}" ]; then
  "$venv/bin/python" -m pip install --quiet --progress-bar off "${extra[@]}"
fi
echo "$key" > "$stamp"
echo "[setup] $venv ready"
