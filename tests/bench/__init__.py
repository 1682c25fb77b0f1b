"""Measurement tooling behind the README's figures, run by hand or by `make`.

Each module runs from the project root as `python -m tests.bench.<name>`; tests import
their pure parts (evaluate_chat, the NLU summary, the README splice) like any module.
"""
