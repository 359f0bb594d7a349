"""The shipped nginx configs (deploy/nginx/), run by a real nginx in front of a
real publish: security headers, caching, 404, CSP in Chromium, intranet auth."""

from __future__ import annotations

import base64
import gzip
import re
import urllib.error
import urllib.request

import pytest

from tests.support.nginx import Nginx, free_port, shipped_server
from tps.site.nginx import write_htpasswd
from tps.site.publish import publish


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    root = tmp_path_factory.mktemp("srv")
    publish(("public", "internal"), str(root), lock=root / "publish.lock", audit=False)
    return root


@pytest.fixture(scope="module")
def public_server(srv, tmp_path_factory):
    run, port = tmp_path_factory.mktemp("nginx-public"), free_port()
    with Nginx(
        None, run, shipped_server("tps-public.conf", port, srv, run), port=port
    ) as nginx:
        yield nginx


@pytest.fixture(scope="module")
def internal_server(srv, tmp_path_factory):
    run, port = tmp_path_factory.mktemp("nginx-internal"), free_port()
    htpasswd = write_htpasswd(run / "htpasswd", "jdoe", "s3cret-pass")
    with Nginx(
        None,
        run,
        shipped_server("tps-internal.conf", port, srv, run, htpasswd),
        port=port,
    ) as nginx:
        yield nginx


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        return urllib.request.urlopen(request, timeout=5)
    except urllib.error.HTTPError as error:
        return error


SECURITY = {
    "Strict-Transport-Security": "max-age=31536000",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=()",
    "Content-Security-Policy": "default-src 'self'",
}


@pytest.mark.parametrize(
    "path",
    ["/", "/theme/css/main.css", "/no/such/page/", "/blogs/crime-blog/feed.atom.xml"],
)
def test_every_response_carries_the_security_headers(public_server, path):
    response = get(public_server.url + path)
    for header, expected in SECURITY.items():
        assert expected in (response.headers.get(header) or ""), (path, header)
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    # Feed images are served from our own site: a third-party image (a tracking
    # pixel planted in a feed) would be blocked even if one slipped into a page.
    assert "img-src 'self' data:;" in policy


def test_caching_short_for_html_longer_for_assets_forever_for_hashed_index(
    public_server, srv
):
    assert get(public_server.url + "/").headers["Cache-Control"] == "no-cache"
    assert (
        get(public_server.url + "/theme/css/main.css").headers["Cache-Control"]
        == "public, max-age=86400"
    )
    html = (srv / "public/current/index.html").read_text()
    hashed = re.search(r'href="\./(theme/css/main\.[0-9a-f]{10}\.css)"', html).group(1)
    assert (
        get(public_server.url + "/" + hashed).headers["Cache-Control"]
        == "public, max-age=31536000, immutable"
    )
    fragment = next((srv / "public/current/pagefind/fragment").iterdir()).name
    assert (
        "immutable"
        in get(public_server.url + f"/pagefind/fragment/{fragment}").headers[
            "Cache-Control"
        ]
    )


def test_text_is_gzipped(public_server):
    response = get(
        public_server.url + "/theme/css/main.css", {"Accept-Encoding": "gzip"}
    )
    assert response.headers["Content-Encoding"] == "gzip"
    assert b".tps-header" in gzip.decompress(response.read())


def test_missing_page_is_the_custom_404(public_server):
    response = get(public_server.url + "/no/such/page/")
    assert response.status == 404
    assert b"Page not found" in response.read()


def test_pages_and_search_run_under_the_csp_without_violations(public_server, chromium):
    context = chromium.new_context()
    page = context.new_page()
    problems = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
    )
    for path in ("/", "/units/52-division/", "/social-media/accounts/"):
        page.goto(public_server.url + path)
    page.goto(public_server.url + "/search/")
    page.fill(".pagefind-ui__search-input", "52 Division")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
    context.close()
    assert [
        p for p in problems if "Content Security Policy" in p or "Refused" in p
    ] == []


def test_intranet_refuses_anyone_without_credentials(internal_server):
    assert get(internal_server.url + "/").status == 401
    assert get(internal_server.url + "/procedures/cyber-vetting/").status == 401
    wrong = base64.b64encode(b"jdoe:wrong").decode()
    assert (
        get(internal_server.url + "/", {"Authorization": f"Basic {wrong}"}).status
        == 401
    )
    right = base64.b64encode(b"jdoe:s3cret-pass").decode()
    response = get(
        internal_server.url + "/procedures/cyber-vetting/",
        {"Authorization": f"Basic {right}"},
    )
    assert response.status == 200
    assert b"cyber-vetting" in response.read().lower()
