#!/usr/bin/env bash
# Train the Rasa model when its inputs changed; otherwise reuse the one in var/rasa/models/.
# Inputs: config, domain, hand-written and generated data, the jieba dictionary, the
# custom NLU components, the static embedding model (where it is and its stamp) and the
# Rasa requirements. Training takes about a minute on two cores; an unchanged model
# takes a second.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/rasa-env.sh
out=var/rasa/models
model="$out/policybot.tar.gz"
stamp="$out/policybot.inputs"
.venv/bin/policybot bot data
digest=$( { echo "$POLICYBOT_DISTILLED_MODEL_DIR"
            cat config.yml requirements/rasa.txt "$POLICYBOT_DISTILLED_MODEL_DIR/policybot-distill.json" \
                $(find bot/domain.yml bot/data bot/dictionary bot/components -type f -name '*.y*ml' -o \
                       -type f -name '*.txt' -o -type f -name '*.py' | sort); } \
         | sha256sum | cut -d' ' -f1)
if [[ -f "$model" && "$(cat "$stamp" 2>/dev/null)" == "$digest" ]]; then
    echo "Rasa model up to date: $model"
    exit 0
fi
echo "Training the Rasa model (a few minutes)..."
mkdir -p "$out"
.venv-rasa/bin/rasa train --config config.yml --domain bot/domain.yml --data bot/data \
    --out "$out" --fixed-model-name policybot
echo "$digest" > "$stamp"
echo "Rasa model: $model"
