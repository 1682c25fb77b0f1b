#!/usr/bin/env bash
# Print the path of a working Python interpreter of version X.Y, or explain how to get one.
# usage: find-python.sh 3.10
set -euo pipefail
want=$1
ok() { "$1" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$want' else 1)" >/dev/null 2>&1; }
candidates=()
[ -n "${POLICYBOT_PYTHON:-}" ] && [ "$want" = "3.11" ] && candidates+=("$POLICYBOT_PYTHON")
[ -n "${POLICYBOT_RASA_PYTHON:-}" ] && [ "$want" = "3.10" ] && candidates+=("$POLICYBOT_RASA_PYTHON")
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for dir in "$root"/versions/"$want"*/bin/python; do candidates+=("$dir"); done
fi
candidates+=("python$want" "/usr/bin/python$want" "/usr/local/bin/python$want" python3)
for c in "${candidates[@]}"; do
  path=$(command -v "$c" 2>/dev/null || true)
  if [ -n "$path" ] && ok "$path"; then echo "$path"; exit 0; fi
done
cat >&2 <<MSG
error: no working Python $want interpreter found.
policybot needs Python 3.11 for the app and Python 3.10 for Rasa 3.6 (Rasa runs only on 3.8-3.10).
Install one, for example:  pyenv install $want   (or: apt-get install python$want python$want-venv)
or point at it:  POLICYBOT_PYTHON=/path/to/python3.11  POLICYBOT_RASA_PYTHON=/path/to/python3.10
MSG
exit 1
