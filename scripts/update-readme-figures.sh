#!/usr/bin/env bash
# Regenerate the measured figures in README.md (between the figures markers). Never edit
# those lines by hand. Parts: retrieval (eval + retrieval benchmark, ~1 min) and bot
# (NLU cross-validation, chat on the eval set, chat benchmark; ~15 min). Default: both.
set -euo pipefail
cd "$(dirname "$0")/.."
parts=("${@:-retrieval bot}")
parts=(${parts[@]})
blocks=()
mkdir -p var/bench
for part in "${parts[@]}"; do
    case "$part" in
        retrieval)
            .venv/bin/policybot eval --markdown > var/bench/eval.md
            .venv/bin/python tests/bench/bench_retrieval.py > /dev/null
            blocks+=(eval:var/bench/eval.md bench:var/bench/retrieval.md) ;;
        bot)
            scripts/nlu-crossval.sh > /dev/null
            .venv/bin/python tests/bench/chat_eval.py > /dev/null
            .venv/bin/python tests/bench/bench_chat.py > /dev/null
            .venv/bin/python scripts/bot-figures.py > var/bench/bot.md
            blocks+=(bot:var/bench/bot.md) ;;
        *) echo "unknown part: $part (retrieval | bot)" >&2; exit 2 ;;
    esac
done
.venv/bin/python - "${blocks[@]}" <<'PY'
import pathlib, re, sys
readme = pathlib.Path("README.md")
text = readme.read_text(encoding="utf-8")
for spec in sys.argv[1:]:
    name, path = spec.split(":", 1)
    body = pathlib.Path(path).read_text(encoding="utf-8").strip()
    start, end = f"<!-- figures:{name}:start -->", f"<!-- figures:{name}:end -->"
    if start not in text:
        sys.exit(f"README.md has no {start} block")
    text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: f"{start}\n{body}\n{end}",
                  text, flags=re.S)
readme.write_text(text, encoding="utf-8")
PY
echo "README figures updated: ${parts[*]}"
