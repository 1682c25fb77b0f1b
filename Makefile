# policybot: `make run` sets everything up and starts the assistant; `make test` sets up and tests.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
POLICYBOT := $(VENV)/bin/policybot
PYTEST_ARGS ?=

.PHONY: help setup venv venv-rasa model index run serve test test-fast lint eval bench readme-figures clean

help:
	@echo "make run        set up everything and start the assistant"
	@echo "make test       set up everything and run lint + all tests"
	@echo "make test-fast  tests without the slow and e2e ones (developer loop)"
	@echo "make setup      both virtual environments, the embedding model and the index"
	@echo "make eval       retrieval quality on the project's evaluation set"
	@echo "make lint       ruff + mypy"

setup: venv venv-rasa model index

venv:
	@scripts/ensure-venv.sh $(VENV) "$$(scripts/find-python.sh 3.11)" \
	    requirements/app.txt requirements/dev.txt -- --no-deps -e .

venv-rasa:
	@scripts/ensure-venv.sh $(RASA_VENV) "$$(scripts/find-python.sh 3.10)" requirements/rasa.txt

model: venv
	@$(POLICYBOT) model build

index: model
	@$(POLICYBOT) index build

run: setup
	@echo "policybot answer service: http://127.0.0.1:8000 (API docs at /docs); Ctrl-C stops it."
	@echo "(The Rasa chat server and the web pages are not wired in yet.)"
	@$(POLICYBOT) serve

lint: venv
	$(VENV)/bin/ruff check knowledge index api tests
	$(VENV)/bin/mypy

test: setup lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-fast: venv
	$(VENV)/bin/pytest -m "not slow and not e2e" $(PYTEST_ARGS)

eval: index
	@$(POLICYBOT) eval

bench: index
	$(PY) tests/bench/bench_retrieval.py

readme-figures: index
	scripts/update-readme-figures.sh

clean:
	rm -rf var
