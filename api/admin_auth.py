"""Who may use /admin, and how a browser proves it on every request.

The admin pages change what the public chat answers, on a server whose other pages are
public, so:

- They exist only when the deployment sets POLICYBOT_ADMIN_TOKEN; without it every
  /admin route answers 404 and says how to enable it.
- A maintainer logs in once with the token; the server then sets a session cookie:
  signed (itsdangerous, with a key of its own from api/keys.py), expiring
  (admin_session_minutes), HttpOnly (no script reads it), SameSite=Strict (no other site's
  page or link sends it) and Path=/admin. The session names the token it was made for by a
  keyed fingerprint, so changing the token ends every session.
- Each session carries a random CSRF token that every state-changing request must send
  back (a hidden form field or the X-CSRF-Token header), and such a request is refused
  when the browser says it comes from another site (Sec-Fetch-Site) or another origin
  (Origin), whatever it carries. No CORS headers are ever sent for /admin.
- Scripts send the token itself as `Authorization: Bearer …` to the JSON API
  (/admin/api/…): no cookie, so nothing a foreign page could make a browser send.
- Wrong tokens are counted per client (admin_login_limits) and each one waits a second,
  so the token cannot be guessed at speed.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import math
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse_many
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.requests import Request

from api.keys import ADMIN_KEY, secret
from api.shared_state import rate_limit_storage, unavailable_on_failure
from knowledge.settings import Settings

SESSION_COOKIE = "policybot_admin"
COOKIE_PATH = "/admin"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
_SALT = "policybot.admin-session"
FAILED_LOGIN_DELAY = 1.0
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class AdminSession:
    csrf: str


class AdminAuth:
    def __init__(self, settings: Settings) -> None:
        self.token = settings.admin_token
        self.max_age = settings.admin_session_minutes * 60
        self._limiter = MovingWindowRateLimiter(rate_limit_storage(settings))
        self._login_limits = parse_many(settings.admin_login_limits)
        self._serializer: URLSafeTimedSerializer | None = None
        self._fingerprint = ""
        if self.enabled:  # no key file is made for a deployment without the admin
            key = secret(settings, ADMIN_KEY)
            self._serializer = URLSafeTimedSerializer(key, salt=_SALT)
            self._fingerprint = hmac.new(key.encode(), self.token.encode(), hashlib.sha256).hexdigest()[:32]

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    def token_matches(self, given: str) -> bool:
        """Constant-time comparison of digests (equal lengths whatever was given)."""
        if not self.enabled:
            return False
        return hmac.compare_digest(hashlib.sha256(given.encode("utf-8", "replace")).digest(),
                                   hashlib.sha256(self.token.encode()).digest())

    def issue(self) -> tuple[str, AdminSession]:
        """A new session: the cookie value and what it holds."""
        assert self._serializer is not None
        session = AdminSession(secrets.token_urlsafe(32))
        return self._serializer.dumps({"csrf": session.csrf, "t": self._fingerprint}), session

    def session(self, cookie: str | None) -> AdminSession | None:
        """The session a cookie holds, if this server signed it for the current token and
        it has not expired."""
        if not cookie or self._serializer is None:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
        except BadSignature:  # SignatureExpired is a BadSignature
            return None
        if not isinstance(data, dict) or not hmac.compare_digest(str(data.get("t", "")), self._fingerprint):
            return None
        csrf = data.get("csrf")
        return AdminSession(csrf) if isinstance(csrf, str) and csrf else None

    def bearer(self, request: Request) -> bool:
        """The request carries the admin token as a Bearer token."""
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and bool(value) and self.token_matches(value.strip())

    def has_bearer(self, request: Request) -> bool:
        return request.headers.get("authorization", "").lower().startswith("bearer ")

    async def locked_out(self, client: str) -> int | None:
        """Seconds until this client may try a token again, when it failed too often
        (SharedStateUnavailable when the counters cannot be read)."""
        async with unavailable_on_failure("admin login limits"):
            for item in self._login_limits:
                if not await self._limiter.test(item, "admin-login", client):
                    stats = await self._limiter.get_window_stats(item, "admin-login", client)
                    return max(1, math.ceil(stats.reset_time - time.time()))
        return None

    async def failed(self, client: str) -> None:
        """Count a wrong token and make its answer wait."""
        async with unavailable_on_failure("admin login limits"):
            for item in self._login_limits:
                await self._limiter.hit(item, "admin-login", client)
        await asyncio.sleep(FAILED_LOGIN_DELAY)


def cross_origin(request: Request) -> bool:
    """The browser says the request comes from another site or origin.

    Sec-Fetch-Site is sent by current browsers and cannot be set by a page; Origin
    covers older ones (its host is compared with Host, not the scheme, because behind a
    TLS-terminating proxy the service itself sees http). Scripts send neither."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    host = urlsplit(origin).netloc if origin != "null" else ""
    return not host or host.lower() != request.headers.get("host", "").lower()


def unsafe(request: Request) -> bool:
    return request.method not in _SAFE_METHODS


def csrf_matches(session: AdminSession, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(str(given), session.csrf)
