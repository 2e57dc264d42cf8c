"""The HTTP edge as a probe from outside meets it: headers, CORS, body sizes, bounded
parameters, answers that repeat nothing, /docs without a CDN, and a server that stays usable."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import text

from services.api.app import create_app
from services.api.deps import SessionDep
from services.core.settings import Settings
from services.devserver import UVICORN_FLAGS
from tests.conftest import TEST_SECRET
from tests.factories import mentee_body

Member = Callable[..., dict[str, str]]
Coordinator = Callable[..., dict[str, str]]
PERSONAL = ["/api/v1/me", "/api/v1/me/introductions", "/api/v1/me/mentee-profile"]
HUGE = "9223372036854775808"


def _local_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": f"sqlite:///{tmp_path / 'edge.db'}",
        "broker_url": f"sqla+sqlite:///{tmp_path / 'broker.db'}",
        "secret_key": TEST_SECRET,
        "outbox_relay": False,
        "mail_dir": tmp_path / "mail",
    }
    return Settings(**(values | overrides))


def _assert_edge_headers(response: Any) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "server" not in response.headers


def test_every_answer_carries_the_security_headers(client: TestClient, member: Member) -> None:
    headers = member()
    answers = [
        client.get("/healthz"),
        client.get("/api/v1/me"),  # 401
        client.get("/api/v1/nothing-here"),  # 404
        client.put("/api/v1/me/mentee-profile", json={}, headers=headers),  # 422
        *(client.get(path, headers=headers) for path in PERSONAL),
        client.post("/api/v1/auth/token", data={"username": "a@b.org", "password": "x"}),
    ]
    for answer in answers:
        _assert_edge_headers(answer)
        assert answer.headers["content-security-policy"].startswith("default-src 'none'")
    for answer in answers[1:]:
        # Personal data (and every other API answer) never lingers in a cache.
        assert answer.headers["cache-control"] == "no-store", answer.request.url


@pytest.mark.parametrize(
    "query",
    [f"offset={HUGE}", "offset=1000001", "offset=-1", "limit=0", "limit=101", f"limit={HUGE}"],
)
def test_integer_parameters_are_bounded(
    client: TestClient, member: Member, coordinator: Coordinator, query: str
) -> None:
    member_headers, staff = member(), coordinator()
    for path, headers in [
        ("/api/v1/me/introductions", member_headers),
        ("/api/v1/coordinator/introductions", staff),
        ("/api/v1/coordinator/mentors", staff),
        ("/api/v1/coordinator/waiting-mentees", staff),
    ]:
        answer = client.get(f"{path}?{query}", headers=headers)
        assert answer.status_code == 422, (path, answer.text)
        assert HUGE not in answer.text
    # The largest offset allowed is an empty page, not an overflow.
    answer = client.get("/api/v1/me/introductions?offset=1000000", headers=member_headers)
    assert answer.status_code == 200 and answer.json() == []


def test_a_body_over_the_limit_is_refused_before_it_is_parsed(
    client: TestClient, member: Member, caplog: pytest.LogCaptureFixture
) -> None:
    headers = member()
    limit = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    caplog.set_level(logging.INFO)
    big = json.dumps(mentee_body(about="x" * limit)).encode()
    answer = client.put(
        "/api/v1/me/mentee-profile",
        content=big,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.json() == {"detail": answer.json()["detail"]}
    assert "too large" in answer.json()["detail"]
    _assert_edge_headers(answer)
    assert "PUT /api/v1/me/mentee-profile 413" in caplog.text

    # Chunked, with no Content-Length to go by: counted as it streams.
    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 4096):
            yield big[start : start + 4096]

    streamed = client.put(
        "/api/v1/me/mentee-profile",
        content=chunks(),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413
    assert client.get("/api/v1/me/mentee-profile", headers=headers).status_code == 404

    # Just under the limit, the body is read and judged as usual.
    fits = client.put(
        "/api/v1/me/mentee-profile",
        content=json.dumps(mentee_body(about="x" * (limit // 2))).encode(),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert fits.status_code == 422  # about is at most 1000 characters


@pytest.mark.parametrize("field", ["alias", "about"])
def test_a_nul_character_is_invalid_input(client: TestClient, member: Member, field: str) -> None:
    headers = member()
    escaped = json.dumps(mentee_body(**{field: "River\u0000Bed"}))
    assert "\\u0000" in escaped
    answer = client.put(
        "/api/v1/me/mentee-profile",
        content=escaped.encode(),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    raw = escaped.replace("\\u0000", "\x00").encode()
    answer = client.put(
        "/api/v1/me/mentee-profile",
        content=raw,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text


def test_a_nul_in_a_login_name_is_not_a_server_error(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/auth/token", data={"username": "sam\x00@example.org", "password": "x" * 12}
    )
    assert answer.status_code in (401, 422), answer.text


def test_what_the_database_refuses_is_a_422_and_its_values_are_not_logged(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # The last line of defence, reached on purpose: a route that hands the database a NUL.
    app = create_app(settings)

    @app.post("/probe")
    def probe(session: SessionDep, request: Request) -> dict[str, str]:
        value = "secret-value\x00" + request.url.path
        return {"kind": str(session.execute(text("SELECT :v"), {"v": value}).scalar_one())[:3]}

    caplog.set_level(logging.INFO)
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.post("/probe")
    app.state.engine.dispose()
    if app.state.engine.dialect.name == "postgresql":
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"][0]["field"] == "body"
    else:
        assert answer.status_code == 200  # SQLite stores a NUL like any character
    assert "secret-value" not in caplog.text


def test_validation_errors_never_repeat_what_was_sent(client: TestClient, member: Member) -> None:
    headers = member()
    sent = "<script>alert('tz')</script>"
    answers = [
        client.put("/api/v1/me/mentee-profile", json=mentee_body(timezone=sent), headers=headers),
        client.put(
            "/api/v1/me/mentee-profile", json=mentee_body(languages=[sent]), headers=headers
        ),
        client.put("/api/v1/me/mentee-profile", json=mentee_body(gender=sent), headers=headers),
        client.put(
            "/api/v1/me/mentee-profile", json=mentee_body(max_distance_km=sent), headers=headers
        ),
    ]
    for answer in answers:
        assert answer.status_code == 422
        assert "script" not in answer.text, answer.text
        for item in answer.json()["detail"]:
            assert set(item) == {"loc", "field", "msg", "type"}


def test_cors_answers_no_origin_unless_listed(tmp_path: Path) -> None:
    origin = {"Origin": "https://evil.example"}
    preflight = {**origin, "Access-Control-Request-Method": "GET"}
    closed = _local_settings(tmp_path)
    with TestClient(create_app(closed)) as client:
        assert "access-control-allow-origin" not in client.get("/healthz", headers=origin).headers
        answer = client.options("/api/v1/me", headers=preflight)
        assert "access-control-allow-origin" not in answer.headers

    opened = _local_settings(tmp_path, cors_origins="https://app.example, https://admin.example")
    assert opened.cors_origins == ["https://app.example", "https://admin.example"]
    with TestClient(create_app(opened)) as client:
        assert "access-control-allow-origin" not in client.get("/healthz", headers=origin).headers
        listed = {"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}
        answer = client.options("/api/v1/me", headers=listed)
        assert answer.headers["access-control-allow-origin"] == "https://app.example"
        assert "access-control-allow-credentials" not in answer.headers


def test_docs_come_from_the_package_and_are_off_in_production(tmp_path: Path) -> None:
    with TestClient(create_app(_local_settings(tmp_path))) as client:
        page = client.get("/docs")
        if not client.app.state.docs:  # type: ignore[attr-defined]
            pytest.skip("fastapi-offline, which ships Swagger UI's files, is not installed")
        assert page.status_code == 200
        assert "/docs/assets/swagger-ui-bundle.js" in page.text
        assert "https://" not in page.text and "cdn" not in page.text
        asset = client.get("/docs/assets/swagger-ui-bundle.js")
        assert asset.status_code == 200 and len(asset.content) > 100_000
        assert "cache-control" not in asset.headers
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert client.get("/openapi.json").status_code == 200

    production = _local_settings(
        tmp_path,
        environment="production",
        default_organization="riverside",
        public_url="https://peermatch.example.org",
    )
    with TestClient(create_app(production)) as client:
        assert client.get("/docs").status_code == 404
        assert client.get("/openapi.json").status_code == 404
        assert client.get("/healthz").status_code == 200
    on_purpose = _local_settings(
        tmp_path,
        environment="production",
        default_organization="riverside",
        public_url="https://peermatch.example.org",
        docs_enabled=True,
    )
    with TestClient(create_app(on_purpose)) as client:
        assert client.get("/openapi.json").status_code == 200


class _Served:
    def __init__(self, app: FastAPI, forwarded_allow_ips: str) -> None:
        # uvicorn's own options, parsed from the very flags `peermatch run` and the
        # Dockerfile pass.
        context = uvicorn.main.make_context(
            "uvicorn",
            [
                "services.api.app:create_app",
                *UVICORN_FLAGS,
                "--forwarded-allow-ips",
                forwarded_allow_ips,
            ],
        )
        options = context.params
        config = uvicorn.Config(
            app,
            log_level="warning",
            server_header=options["server_header"],
            access_log=options["access_log"],
            proxy_headers=options["proxy_headers"],
            forwarded_allow_ips=options["forwarded_allow_ips"],
        )
        self.server = uvicorn.Server(config)
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]})

    def __enter__(self) -> _Served:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:  # waiting for startup, not for a time window
            assert time.monotonic() < deadline and self.thread.is_alive()
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        self.socket.close()


def _probe_app(tmp_path: Path) -> FastAPI:
    app = create_app(_local_settings(tmp_path))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    @app.get("/whoami")
    def whoami(request: Request) -> dict[str, str]:
        return {"client": request.client.host if request.client else ""}

    return app


def test_after_a_500_the_connection_stays_usable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with _Served(_probe_app(tmp_path), "127.0.0.1") as served:
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
        connection.request("GET", "/boom")
        failed = connection.getresponse()
        body = json.loads(failed.read())
        assert failed.status == 500 and body == {"detail": "Internal error; it has been logged"}
        assert failed.getheader("server") is None
        assert failed.getheader("x-content-type-options") == "nosniff"
        # The same keep-alive connection answers the next request.
        connection.request("GET", "/healthz")
        again = connection.getresponse()
        assert again.status == 200 and again.getheader("server") is None
        again.read()
        connection.close()
    assert "unhandled RuntimeError on GET /boom" in caplog.text


@pytest.mark.parametrize(
    ("trusted", "seen"), [("127.0.0.1", "203.0.113.9"), ("10.9.9.9", "127.0.0.1")]
)
def test_forwarded_headers_are_believed_only_from_trusted_proxies(
    tmp_path: Path, trusted: str, seen: str
) -> None:
    with _Served(_probe_app(tmp_path), trusted) as served:
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
        connection.request("GET", "/whoami", headers={"X-Forwarded-For": "203.0.113.9"})
        assert json.loads(connection.getresponse().read()) == {"client": seen}
        connection.close()
