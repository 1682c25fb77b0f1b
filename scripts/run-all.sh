#!/usr/bin/env bash
# Start the answer service (FastAPI) and Rasa; print where to go; Ctrl-C stops both.
# Ports: POLICYBOT_PORT (8000) and POLICYBOT_RASA_PORT (5005). Rasa keeps conversations
# in var/rasa/tracker.db, so they survive a restart. Logs: var/log/.
set -uo pipefail
cd "$(dirname "$0")/.."
api_port="${POLICYBOT_PORT:-8000}"
rasa_port="${POLICYBOT_RASA_PORT:-5005}"
export POLICYBOT_RASA_URL="${POLICYBOT_RASA_URL:-http://127.0.0.1:$rasa_port}"
export RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1
mkdir -p var/log var/rasa
# What bot/endpoints.yml reads. The action token is generated once (var/secrets/) and
# shared by both servers through the environment.
export POLICYBOT_ACTION_URL="http://127.0.0.1:$api_port/webhook"
export POLICYBOT_TRACKER_DB="${POLICYBOT_TRACKER_DB:-var/rasa/tracker.db}"
POLICYBOT_ACTION_TOKEN="${POLICYBOT_ACTION_TOKEN:-$(.venv/bin/policybot secret action-token)}" || exit 1
export POLICYBOT_ACTION_TOKEN
# Rasa serves the live knowledge-base version's model; its model API (loopback only,
# behind a token) lets `policybot kb publish` / `rollback` swap models without a restart.
rasa_model=$(.venv/bin/policybot kb path rasa-model) || exit 1
rasa_token=$(.venv/bin/policybot secret rasa-token) || exit 1

for port in "$api_port" "$rasa_port"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "error: port $port is already in use (another policybot running?)" >&2
        exit 1
    fi
done

.venv/bin/policybot serve --port "$api_port" > >(tee var/log/api.log) 2>&1 &
api=$!
# Rasa listens on loopback only: the public reaches it through /api/chat, never directly.
# "--auth-token=<token>": a token starting with "-" (one in 64) would read as an option.
.venv-rasa/bin/rasa run --model "$rasa_model" --interface 127.0.0.1 --port "$rasa_port" \
    --enable-api --auth-token="$rasa_token" \
    --endpoints bot/endpoints.yml --credentials bot/credentials.yml > var/log/rasa.log 2>&1 &
rasa=$!
stop() {
    trap - INT TERM EXIT
    echo "stopping policybot..."
    kill "$api" "$rasa" 2>/dev/null
    wait "$api" "$rasa" 2>/dev/null
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

wait_for() {  # url pid name seconds
    for _ in $(seq "$4"); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || { echo "error: $3 exited; see var/log/" >&2; return 1; }
        sleep 1
    done
    echo "error: $3 did not start in $4 s; see var/log/" >&2
    return 1
}
echo "starting the answer service and Rasa (Rasa takes about a minute)..."
wait_for "http://127.0.0.1:$api_port/health" "$api" "the answer service" 120 || exit 1
wait_for "http://127.0.0.1:$rasa_port/" "$rasa" "Rasa" 300 || exit 1
cat <<MSG

policybot is running:
  chat widget       http://127.0.0.1:$api_port/
  operator console  http://127.0.0.1:$api_port/operator
  API docs          http://127.0.0.1:$api_port/docs
Ctrl-C stops both servers.
MSG
wait -n "$api" "$rasa"
status=$?
# Ctrl-C reaches the whole process group: a server may stop on the signal before this
# shell runs its INT trap. Stopped by a signal (or cleanly) is not an error.
if (( status == 0 || status > 128 )); then
    exit 0
fi
echo "error: a server stopped (exit status $status); see var/log/" >&2
exit 1
