"""The edge of policybot: the `policybot` CLI and the FastAPI app (Rasa action webhook,
REST API, chat proxy, web pages)."""
