"""A bug in a route is answered as the service being unavailable (503, the Chinese
message), never as a bare 500: the error handlers of api/errors.py on an app of their own."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.errors import UNAVAILABLE, install


def test_an_unexpected_exception_is_a_503_with_the_chinese_message() -> None:
    app = FastAPI()
    install(app)

    @app.get("/broken")
    def broken() -> None:
        raise KeyError(False)  # what a half-built cache once raised under concurrent searches

    response = TestClient(app, raise_server_exceptions=False).get("/broken")
    assert response.status_code == 503
    assert response.json() == {"detail": UNAVAILABLE, "code": "unavailable"}
