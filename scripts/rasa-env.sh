# Sourced (from the project root) before a Rasa command that reads config.yml: train,
# cross-validate, validate. config.yml names the distilled model through
# POLICYBOT_DISTILLED_MODEL_DIR because Rasa's Python cannot read the project's
# settings; `policybot model path` prints the one setting.
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
POLICYBOT_DISTILLED_MODEL_DIR=$(.venv/bin/policybot model path) || return 1
export POLICYBOT_DISTILLED_MODEL_DIR
export POLICYBOT_JIEBA_DICTIONARY="${POLICYBOT_JIEBA_DICTIONARY:-bot/dictionary}"
