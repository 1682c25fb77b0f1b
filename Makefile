# policybot: `make run` sets everything up and starts the assistant; `make test` sets up and tests.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
POLICYBOT := $(VENV)/bin/policybot
PYTEST_ARGS ?=

# config.yml names the distilled model through an environment variable that
# scripts/rasa-env.sh sets from the project's settings.
RASA := source scripts/rasa-env.sh && $(RASA_VENV)/bin/rasa
RASA_FILES := --config config.yml --domain bot/domain.yml

.PHONY: help setup venv venv-rasa bot-validate prod-deps run-prod run test test-fast lint \
        kb eval eval-chat eval-dialogue eval-match nlu-eval bench bench-chat bench-abuse bench-publish bench-profiles \
        readme-figures clean \
        delete-conversations browser

help:
	@echo "Use:"
	@echo "  make run             set up everything and start the assistant"
	@echo "  make run-prod        the same on PostgreSQL, Redis, several Rasa/answer processes, nginx"
	@echo "  make test            set up everything, lint, validate the bot data, run all tests (CI)"
	@echo "  make test-fast       the tests without the slow and e2e markers (developer loop, seconds)"
	@echo "  make lint            ruff + mypy"
	@echo "Set up (each step only when its inputs changed):"
	@echo "  make setup           everything below"
	@echo "  make venv            .venv: Python 3.11, the app and the test tools"
	@echo "  make venv-rasa       .venv-rasa: Python 3.10, Rasa"
	@echo "  make kb              publish knowledge/ as the live version when it changed"
	@echo "                       (distilled model, search index, Rasa model; var/kb/)"
	@echo "  make bot-validate    rasa data validate on the training data"
	@echo "  make browser         chromium and CJK fonts for the browser tests (apt-get, root)"
	@echo "Measure (README figures):"
	@echo "  make eval            retrieval quality on the project's evaluation set"
	@echo "  make bench           retrieval benchmark (build time, latency, memory)"
	@echo "  make nlu-eval        Rasa NLU cross-validation (intent macro-F1, entity F1)"
	@echo "  make eval-chat       the evaluation set through the whole chat"
	@echo "  make eval-dialogue   the conversation set (multi-turn) through the whole chat"
	@echo "  make eval-match      policy matching on the enterprise profile set (seconds)"
	@echo "  make bench-chat      chat latency at 1, 10 and 50 concurrent senders"
	@echo "  make bench-abuse     a normal user's latency alone and during 20 abusive senders"
	@echo "  make bench-publish   publish and roll back under chat load: time, failed requests"
	@echo "  make bench-profiles  embedded vs production profile: throughput, latency, CPU per turn"
	@echo "  make readme-figures  all of the above, written into README.md (~15 min)"
	@echo "  make clean           remove what setup and the measurements generated (keeps conversations)"
	@echo "  make delete-conversations  delete all conversations, ratings and secrets (asks first)"

setup: venv venv-rasa kb

venv:
	@scripts/ensure-venv.sh $(VENV) "$$(scripts/find-python.sh 3.11)" \
	    requirements/app.txt requirements/dev.txt -- --no-deps -e .

venv-rasa:
	@scripts/ensure-venv.sh $(RASA_VENV) "$$(scripts/find-python.sh 3.10)" requirements/rasa.txt

# The live knowledge base is a published version (var/kb/): publish knowledge/ (the seed)
# when it, or the code its model, index and Rasa model are built with, changed; never over
# a version a maintainer published (`policybot kb publish knowledge` does that on purpose).
kb: venv venv-rasa
	@$(POLICYBOT) kb publish --seed

bot-validate: kb
	@$(POLICYBOT) bot data > /dev/null
	$(RASA) data validate --fail-on-warnings $(RASA_FILES) --data bot/data

run: setup
	@scripts/run-all.sh

# The production profile on this machine: PostgreSQL, Redis, several Rasa and answer-
# service processes, nginx on 127.0.0.1:8080 (README, "Production profile").
prod-deps:
	@scripts/install-prod.sh

run-prod: setup prod-deps
	@$(POLICYBOT) prod up

lint: venv venv-rasa
	$(VENV)/bin/ruff check knowledge index api bot tests
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy --python-version 3.10 --python-executable $(RASA_VENV)/bin/python \
	    bot/components/*.py

test: setup browser prod-deps lint bot-validate
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-fast: venv
	$(VENV)/bin/pytest -m "not slow and not e2e" $(PYTEST_ARGS)

eval: kb
	@$(POLICYBOT) eval

nlu-eval: kb
	@scripts/nlu-crossval.sh

bench: kb
	$(PY) -m tests.bench.bench_retrieval

bench-chat: setup
	$(PY) -m tests.bench.bench_chat

bench-abuse: setup
	$(PY) -m tests.bench.bench_abuse

bench-publish: setup
	$(PY) -m tests.bench.bench_publish

bench-profiles: setup prod-deps
	$(PY) -m tests.bench.bench_profiles

eval-chat: setup
	$(PY) -m tests.bench.chat_eval

eval-dialogue: setup
	$(PY) -m tests.bench.dialogue_eval

eval-match: venv
	$(PY) -m tests.bench.match_eval

# Chromium and CJK fonts for the browser tests (tests/web); a no-op once installed.
browser:
	@scripts/install-browser.sh

# All measured figures in README.md (~15 min); `scripts/update-readme-figures.sh retrieval`
# or `... bot` for one part.
readme-figures: setup
	scripts/update-readme-figures.sh

# Generated files only. User data stays: conversations (var/chat/, var/rasa/tracker.db),
# the secrets that keep browsers' conversation tokens valid (var/secrets/) and the
# published knowledge-base versions with the models they serve (var/kb/).
clean:
	rm -rf var/index var/models var/rasa/models var/reports var/bench var/screenshots var/log \
	    var/kb/staging bot/data/generated bot/dictionary

delete-conversations:
	@read -r -p "Delete every conversation, rating and secret under var/? Type yes: " answer; \
	    [ "$$answer" = yes ] || { echo "nothing deleted"; exit 1; }
	rm -rf var/chat var/rasa/tracker.db var/secrets
