#!/usr/bin/env bash
# Regenerate the measured figures in README.md (between the figures markers). Never edit
# those lines by hand. Parts: retrieval (eval + retrieval benchmark, ~1 min) and bot
# (NLU cross-validation, chat on the eval set, the conversation set, chat benchmark;
# ~17 min), abuse (the fair-use benchmark, ~3 min), publish (publish/rollback under
# load, ~5 min), profiles (embedded vs production, ~15 min) and match (policy matching on
# the profile set, seconds). Default: all six.
set -euo pipefail
cd "$(dirname "$0")/.."
parts=("${@:-retrieval bot abuse publish profiles match}")
parts=(${parts[@]})
blocks=()
mkdir -p var/bench
for part in "${parts[@]}"; do
    case "$part" in
        retrieval)
            .venv/bin/policybot eval --markdown > var/bench/eval.md
            .venv/bin/policybot eval --set knowledge/evaluation/questions-en.yml --markdown \
                > var/bench/eval-en.md
            .venv/bin/python -m tests.bench.bench_retrieval > /dev/null
            blocks+=(eval:var/bench/eval.md eval-en:var/bench/eval-en.md bench:var/bench/retrieval.md) ;;
        bot)
            scripts/nlu-crossval.sh > /dev/null
            .venv/bin/python -m tests.bench.chat_eval > /dev/null
            .venv/bin/python -m tests.bench.dialogue_eval > /dev/null
            .venv/bin/python -m tests.bench.bench_chat > /dev/null
            .venv/bin/python -m tests.bench.bot_figures > var/bench/bot.md
            blocks+=(bot:var/bench/bot.md) ;;
        abuse)
            .venv/bin/python -m tests.bench.bench_abuse > /dev/null
            blocks+=(abuse:var/bench/abuse.md) ;;
        publish)
            .venv/bin/python -m tests.bench.bench_publish > /dev/null
            blocks+=(publish:var/bench/publish.md) ;;
        profiles)
            scripts/install-prod.sh > /dev/null
            .venv/bin/python -m tests.bench.bench_profiles > /dev/null
            blocks+=(profiles:var/bench/profiles.md) ;;
        match)
            .venv/bin/python -m tests.bench.match_eval > /dev/null
            blocks+=(match:var/bench/match.md) ;;
        *) echo "unknown part: $part (retrieval | bot | abuse | publish | profiles | match)" >&2; exit 2 ;;
    esac
done
.venv/bin/python -m tests.bench.readme_figures "${blocks[@]}"
echo "README figures updated: ${parts[*]}"
