"""Issue 12: the shipped nginx rules (real nginx) refuse symlinks inside a
release and put the security headers on nginx's own error responses too."""

from __future__ import annotations

import socket

import pytest

from tests.support.nginx import Nginx, free_port, shipped_server
from tps.deploy.deploy import Target, deploy
from tps.site.nginx import write_htpasswd

SECURITY = (
    "content-security-policy:",
    "x-content-type-options: nosniff",
    "strict-transport-security:",
    "referrer-policy:",
    "x-frame-options: deny",
)


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    root = tmp_path_factory.mktemp("srv")
    secret = tmp_path_factory.mktemp("elsewhere")
    (secret / "roster.txt").write_text("internal roster\n")
    for site in ("public", "internal"):
        built = tmp_path_factory.mktemp(f"built-{site}")
        (built / "index.html").write_text("<!doctype html><title>home</title><p>home")
        (built / "404.html").write_text("<!doctype html><title>404</title><p>missing")
        (built / "images").mkdir()
        # what a content symlink (or a hand edit on the host) would put in a release
        (built / "leak.txt").symlink_to(secret / "roster.txt")
        (built / "images/intra").symlink_to(secret)
        deploy(built, Target(None, str(root / site)), 5, {})
    return root


@pytest.fixture(scope="module", params=["tps-public.conf", "tps-internal.conf"])
def server(request, srv, tmp_path_factory):
    run, port = tmp_path_factory.mktemp("nginx"), free_port()
    htpasswd = write_htpasswd(run / "htpasswd", "jdoe", "s3cret-pass")
    block = shipped_server(request.param, port, srv, run, htpasswd)
    with Nginx(None, run, block, port=port) as nginx:
        yield nginx


def raw(server, request: bytes) -> str:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode("latin-1")


AUTH = b"Authorization: Basic amRvZTpzM2NyZXQtcGFzcw==\r\n"  # jdoe:s3cret-pass


def test_the_release_is_served_through_the_current_symlink(server):
    response = raw(
        server, b"GET / HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Connection: close\r\n\r\n"
    )
    assert response.startswith("HTTP/1.1 200") and "home" in response


@pytest.mark.parametrize("path", [b"/leak.txt", b"/images/intra/roster.txt"])
def test_symlinks_inside_a_release_are_not_followed(server, path):
    response = raw(
        server,
        b"GET "
        + path
        + b" HTTP/1.1\r\nHost: x\r\n"
        + AUTH
        + b"Connection: close\r\n\r\n",
    )
    assert "internal roster" not in response
    assert response.split(" ", 2)[1] in ("403", "404"), response[:200]


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n",  # no Host: 400
        b"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n",  # bad request line: 400
        b"GET / HTTP/1.1\r\nHost: x\r\nCookie: "
        + b"a" * 70000
        + b"\r\n\r\n",  # too large
    ],
)
def test_nginx_error_responses_carry_the_security_headers(server, request_bytes):
    response = raw(server, request_bytes)
    status = response.split(" ", 2)[1]
    assert status == "400", response[:300]
    head = response.split("\r\n\r\n", 1)[0].lower()
    for header in SECURITY:
        assert header in head, (header, head)
