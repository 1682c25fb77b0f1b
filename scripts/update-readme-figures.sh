#!/usr/bin/env bash
# Regenerate the measured figures in README.md (between the figures markers) from
# `policybot eval --markdown` and the retrieval benchmark. Never edit those lines by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
eval_md=$(.venv/bin/policybot eval --markdown)
.venv/bin/python tests/bench/bench_retrieval.py >/dev/null
bench_md=$(cat var/bench/retrieval.md)
.venv/bin/python - "$eval_md" "$bench_md" <<'PY'
import re, sys
eval_md, bench_md = sys.argv[1], sys.argv[2]
text = open("README.md", encoding="utf-8").read()
for name, body in (("eval", eval_md), ("bench", bench_md)):
    start, end = f"<!-- figures:{name}:start -->", f"<!-- figures:{name}:end -->"
    text = re.sub(re.escape(start) + ".*?" + re.escape(end), start + "\n" + body.strip() + "\n" + end,
                  text, flags=re.S)
open("README.md", "w", encoding="utf-8").write(text)
PY
echo "README figures updated"
