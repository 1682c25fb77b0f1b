#!/usr/bin/env bash
# NLU quality by 5-fold cross-validation over all training examples (hand-written and
# generated): intent macro-F1 and entity F1, written to var/reports/nlu/summary.json.
# About five trainings: several minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
out=var/reports/nlu
folds="${NLU_FOLDS:-5}"
.venv/bin/policybot bot data > /dev/null
rm -rf "$out" && mkdir -p "$out"
echo "NLU cross-validation, $folds folds (several minutes)..."
.venv-rasa/bin/rasa test nlu --config config.yml --domain bot/domain.yml --nlu bot/data \
    --cross-validation --folds "$folds" --successes --out "$out" > "$out/rasa.log" 2>&1 \
    || { tail -30 "$out/rasa.log" >&2; exit 1; }
.venv/bin/python - "$out" "$folds" <<'PY'
import datetime, json, pathlib, platform, sys

out, folds = pathlib.Path(sys.argv[1]), int(sys.argv[2])
intent = json.loads((out / "intent_report.json").read_text())
entity_reports = sorted(out.glob("*Extractor_report.json"))
entity = json.loads(entity_reports[0].read_text()) if entity_reports else {}
# How often a right prediction is still too unsure for the FallbackClassifier (it then
# goes to the retrieval answer instead of its intent's rule).
import yaml
threshold = next(c["threshold"] for c in yaml.safe_load(open("config.yml"))["pipeline"]
                 if c["name"] == "FallbackClassifier")
right = json.loads((out / "intent_successes.json").read_text())
unsure = sum(1 for r in right if r["intent_prediction"]["confidence"] < threshold)
summary = {
    "date": datetime.date.today().isoformat(),
    "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
    "folds": folds,
    "intent_macro_f1": round(intent["macro avg"]["f1-score"], 4),
    "intent_accuracy": round(intent.get("accuracy", 0.0), 4),
    "entity_micro_f1": round(entity.get("micro avg", {}).get("f1-score", 0.0), 4),
    "entity_macro_f1": round(entity.get("macro avg", {}).get("f1-score", 0.0), 4),
    "fallback_threshold": threshold,
    "right_but_below_threshold": round(unsure / max(len(right), 1), 4),
    "worst_intents": sorted(((k, round(v["f1-score"], 3)) for k, v in intent.items()
                             if isinstance(v, dict) and "support" in v and "avg" not in k),
                            key=lambda kv: kv[1])[:5],
}
(out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))
print(json.dumps(summary, ensure_ascii=False, indent=2))
PY
