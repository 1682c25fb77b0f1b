"""Cross-origin headers for the chat routes (and only those).

The widget runs on the district website, another origin, so the chat routes must answer
cross-origin requests, errors included (the widget shows a 413's or 429's message).
No cookies are involved: the conversation token travels in the JSON body, so allowing
any origin ("*", the default) grants a page nothing it did not already hold. A
deployment may still list the sites allowed to embed the widget (POLICYBOT_CHAT_ORIGINS).
"""

from __future__ import annotations

CHAT_PREFIX = "/api/chat"
_BASE = {
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Expose-Headers": "Retry-After",
    "Access-Control-Max-Age": "600",
}


def cors_headers(allowed: str, origin: str | None) -> dict[str, str]:
    """Headers for a response to a request from `origin`, given the configured origins
    ("*" or a comma-separated list); nothing for an origin not on the list."""
    if allowed.strip() == "*":
        return {"Access-Control-Allow-Origin": "*", **_BASE}
    origins = {o.strip().rstrip("/") for o in allowed.split(",") if o.strip()}
    if origin and origin.rstrip("/") in origins:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin", **_BASE}
    return {"Vary": "Origin"}
