"""Who may read the server: CORS only for named origins, the optional token, the Host check,
and the security headers every answer carries (SECURITY.md §2f, §8.24)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_serve_fixtures import get, post_form, request, running_server

from graph.serve.server import Server

ALLOWED = "https://yasgui.example.org"


@pytest.fixture(scope="module")
def open_server(default_build: Path) -> Iterator[Server]:
    with running_server(default_build) as srv:
        yield srv


@pytest.fixture(scope="module")
def cors_server(default_build: Path) -> Iterator[Server]:
    with running_server(default_build, allow_origins=(ALLOWED, "http://localhost:3000")) as srv:
        yield srv


@pytest.fixture(scope="module")
def token_server(default_build: Path) -> Iterator[Server]:
    with running_server(default_build, token="s3cret-token") as srv:
        yield srv


ASK = {"query": "ASK {}"}


def test_no_cors_by_default(open_server: Server) -> None:
    reply = get(open_server, "/sparql", params=ASK, headers={"Origin": "https://evil.example"})
    assert reply.status == 200
    assert not any(k.startswith("access-control-") for k in reply.headers)
    pre = request(open_server, "OPTIONS", "/sparql", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert pre.status == 204 and not any(k.startswith("access-control-") for k in pre.headers)


def test_cors_echoes_only_an_allowed_origin(cors_server: Server) -> None:
    reply = get(cors_server, "/sparql", params=ASK, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in reply.headers
    reply = get(cors_server, "/sparql", params=ASK, headers={"Origin": ALLOWED})
    assert reply.headers["access-control-allow-origin"] == ALLOWED
    assert "access-control-allow-credentials" not in reply.headers
    assert "Origin" in reply.headers["vary"]
    for path in ("/reach.json?data_type=phone+number", "/table.csv"):
        assert get(cors_server, path, headers={"Origin": ALLOWED}).headers["access-control-allow-origin"] == ALLOWED


def test_cors_preflight(cors_server: Server) -> None:
    pre = request(cors_server, "OPTIONS", "/sparql", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert pre.status == 204
    assert pre.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in pre.headers["access-control-allow-methods"]
    assert pre.headers["access-control-allow-origin"] != "*"
    assert "access-control-allow-private-network" not in pre.headers


def test_private_network_preflight_only_for_an_allowed_origin(cors_server: Server, open_server: Server) -> None:
    """Chromium asks before a public site reads a loopback server; say yes only to named origins."""
    ask = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Private-Network": "true"}
    pre = request(cors_server, "OPTIONS", "/sparql", headers={"Origin": ALLOWED, **ask})
    assert pre.headers["access-control-allow-private-network"] == "true"
    for srv, origin in ((cors_server, "https://evil.example"), (open_server, ALLOWED)):
        pre = request(srv, "OPTIONS", "/sparql", headers={"Origin": origin, **ask})
        assert not any(k.startswith("access-control-") for k in pre.headers)


def test_token_required_when_set(token_server: Server) -> None:
    for path in ("/sparql", "/reach", "/table.csv", "/graph", "/query"):
        reply = get(token_server, path, params=ASK if path == "/sparql" else None)
        reply.assert_clean_error(401)
        assert reply.headers["www-authenticate"].startswith("Bearer")
    get(token_server, "/sparql", params=ASK, headers={"Authorization": "Bearer wrong"}).assert_clean_error(401)
    post_form(token_server, [("query", "ASK {}"), ("token", "wrong")]).assert_clean_error(401)
    ok = get(token_server, "/sparql", params=ASK, headers={"Authorization": "Bearer s3cret-token"})
    assert ok.status == 200
    assert get(token_server, "/sparql", params={**ASK, "token": "s3cret-token"}).status == 200
    home = get(token_server, "/")
    assert home.status == 200 and "triples" not in home.text  # public, but shows nothing of the graph
    assert "triples" in get(token_server, "/", params={"token": "s3cret-token"}).text
    assert get(token_server, "/static/style.css").status == 200


def test_token_carried_in_page_links(token_server: Server) -> None:
    page = get(token_server, "/table", params={"token": "s3cret-token"})
    assert page.status == 200
    assert 'href="/table.csv?token=s3cret-token"' in page.text
    assert 'name="token" value="s3cret-token"' in page.text
    assert "token" not in get(token_server, "/table", headers={"Authorization": "Bearer s3cret-token"}).text


def test_foreign_host_header_refused(open_server: Server) -> None:
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example."""
    reply = get(open_server, "/sparql", params=ASK, headers={"Host": f"evil.example:{open_server.port}"})
    reply.assert_clean_error(403)
    for host in ("localhost", "127.0.0.1"):
        assert get(open_server, "/sparql", params=ASK, headers={"Host": f"{host}:{open_server.port}"}).status == 200


def test_security_headers(open_server: Server) -> None:
    for path in ("/", "/sparql?query=ASK%7B%7D", "/graph", "/nope"):
        reply = get(open_server, path)
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert reply.headers["referrer-policy"] == "no-referrer"
        csp = reply.headers["content-security-policy"]
        for rule in ("default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action"):
            assert rule in csp, (path, rule)
    home = get(open_server, "/")
    assert "script-src" not in home.headers["content-security-policy"]  # our pages run no script


def test_bound_to_loopback(open_server: Server) -> None:
    assert open_server.httpd.server_address[0] == "127.0.0.1"
