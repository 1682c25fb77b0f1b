"""The edge of policybot: the CLI, and (later) the FastAPI app and Rasa action webhook."""
