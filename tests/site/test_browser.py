"""The public site served by a real nginx and read in headless Chromium with axe-core."""

from __future__ import annotations

import pytest

from tests.support import frontmatter
from tests.support.browser import axe_violations, describe
from tests.support.nginx import Nginx


@pytest.fixture(scope="module")
def server(sample_sites, tmp_path_factory):
    with Nginx(sample_sites["public"], tmp_path_factory.mktemp("nginx")) as nginx:
        yield nginx


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(java_script_enabled=True)
    page = context.new_page()
    errors = []

    def bad_response(response):
        if response.status >= 400 and response.request.resource_type != "document":
            errors.append(f"{response.status}: {response.url}")

    # "Failed to load resource" repeats what bad_response records, and is also
    # logged for a 404 page's own document.
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    page.on("response", bad_response)
    page.errors = errors
    yield page
    context.close()


def some_post():
    return frontmatter.published(audience="public")[0]


PAGES = {
    "home": "/",
    "blog index": "/blogs/traffic-services/",
    "blogs overview": "/blogs/",
    "post": None,
    "page": "/social-media/launch/",
    "unit directory": "/units/",
    "unit page": "/units/52-division/",
    "account registry": "/social-media/accounts/",
    "search": "/search/",
}


@pytest.mark.parametrize("name", PAGES)
def test_pages_load_with_styles_and_no_axe_violations(server, browser_page, name):
    post = some_post()
    url = PAGES[name] or f"/blogs/{post.blog}/{post.slug}/"
    response = browser_page.goto(server.url + url)
    assert response.status == 200
    assert browser_page.locator("h1").count() == 1
    header_colour = browser_page.eval_on_selector(
        ".tps-header", "e => getComputedStyle(e).backgroundColor"
    )
    assert header_colour == "rgb(15, 43, 76)", "the theme stylesheet loaded"
    violations = axe_violations(browser_page)
    assert violations == [], describe(violations)
    assert browser_page.errors == []


def test_skip_link_is_first_and_moves_focus_to_main(server, browser_page):
    browser_page.goto(server.url + "/")
    browser_page.keyboard.press("Tab")
    focused = browser_page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    browser_page.keyboard.press("Enter")
    assert browser_page.evaluate("location.hash") == "#main"


def test_links_on_home_lead_somewhere(server, browser_page):
    browser_page.goto(server.url + "/")
    hrefs = browser_page.eval_on_selector_all("main a", "els => els.map(e => e.href)")
    assert hrefs
    for href in hrefs:
        if href.startswith(server.url):
            assert browser_page.request.get(href).status == 200, href


def test_missing_page_gets_the_styled_404(server, browser_page):
    response = browser_page.goto(server.url + "/no/such/page/")
    assert response.status == 404
    assert browser_page.locator("h1").inner_text() == "Page not found"
    assert browser_page.errors == [], "styles and images load from a deep URL"


def test_phone_width_has_no_horizontal_scroll(server, chromium):
    context = chromium.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    post = some_post()
    for url in ("/", "/blogs/crime-blog/", f"/blogs/{post.blog}/{post.slug}/"):
        page.goto(server.url + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, (url, width)
    context.close()
