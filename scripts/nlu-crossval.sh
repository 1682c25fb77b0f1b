#!/usr/bin/env bash
# NLU quality by 5-fold cross-validation over all training examples (hand-written and
# generated): intent macro-F1 and entity F1, written to var/reports/nlu/summary.json.
# About five trainings: several minutes on two cores. NLU_CONFIG evaluates another
# training configuration (a variant of config.yml) on the same folds.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/rasa-env.sh
out=var/reports/nlu
folds="${NLU_FOLDS:-5}"
seed="${NLU_SEED:-0}"
config="${NLU_CONFIG:-config.yml}"
.venv/bin/policybot bot data > /dev/null
rm -rf "$out" && mkdir -p "$out"
echo "NLU cross-validation of $config, $folds folds (several minutes)..."
# Rasa shuffles the folds with numpy's global generator and no seed, so two runs of the
# same data differ by about half a point of macro-F1; a fixed seed makes the figure
# rerunnable and comparisons between configurations paired (NLU_SEED to vary it).
.venv-rasa/bin/python -c 'import sys, numpy; numpy.random.seed(int(sys.argv.pop(1)))
from rasa.__main__ import main; sys.exit(main())' "$seed" \
    test nlu --config "$config" --domain bot/domain.yml --nlu bot/data \
    --cross-validation --folds "$folds" --successes --out "$out" > "$out/rasa.log" 2>&1 \
    || { tail -30 "$out/rasa.log" >&2; exit 1; }
.venv/bin/python -m tests.bench.nlu_summary "$out" --folds "$folds" --seed "$seed" --config "$config"
