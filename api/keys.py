"""The deployment's secrets: the key that signs conversation ids, the action token and
the key that signs maintainers' admin sessions.

Each comes from its setting (POLICYBOT_SECRET_KEY, POLICYBOT_ACTION_TOKEN,
POLICYBOT_ADMIN_SECRET_KEY) when a
deployment manages secrets itself; otherwise it is generated once and kept in a file
under var/secrets/ (mode 0600), so a restart keeps every browser's conversation and
Rasa's token valid. These files are user data, not build output: `make clean` keeps
them, because losing the signing key would orphan every conversation.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from knowledge.settings import Settings

SIGNING_KEY = "conversation-key"
ACTION_TOKEN = "action-token"
RASA_TOKEN = "rasa-token"  # Rasa's model API on loopback: publishing loads new models
ADMIN_KEY = "admin-session-key"
# The production profile's databases (api/prod/): generated, never typed by anyone.
PG_PASSWORD = "pg-password"
REDIS_PASSWORD = "redis-password"
_NAMES = {SIGNING_KEY: "secret_key", ACTION_TOKEN: "action_token", RASA_TOKEN: "rasa_token",
          ADMIN_KEY: "admin_secret_key", PG_PASSWORD: "pg_password", REDIS_PASSWORD: "redis_password"}


def secret(settings: Settings, name: str) -> str:
    """The configured value, else the stored one, else a new random one stored now."""
    configured = str(getattr(settings, _NAMES[name]))
    if configured:
        return configured
    return _stored(settings.secrets_dir / name)


def _stored(path: Path) -> str:
    if path.is_file():
        value = path.read_text(encoding="ascii").strip()
        if value:
            return value
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    try:
        # O_EXCL: when two processes start at once, one writes and both read its value.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
    return value
