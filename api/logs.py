"""Logging of `policybot serve`: one format for the app's loggers and uvicorn's, in every
worker process.

uvicorn configures logging in each worker it starts from the dictionary it is given, so
the app's own messages (api.*, index.*) are configured there too, not only in the parent
(which serves nothing when there are several workers). Each line names its process, so
the lines of several workers in one log can be told apart.
"""

from __future__ import annotations

import copy
from typing import Any

from uvicorn.config import LOGGING_CONFIG

FORMAT = "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"


def log_config() -> dict[str, Any]:
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["app"] = {"format": FORMAT}
    config["handlers"]["app"] = {"class": "logging.StreamHandler", "formatter": "app",
                                 "stream": "ext://sys.stderr"}
    config["root"] = {"handlers": ["app"], "level": "INFO"}
    config["loggers"]["uvicorn"]["handlers"] = ["app"]  # uvicorn.error propagates to it
    return config
