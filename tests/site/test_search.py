"""Site search: Pagefind indexes each site after its build; the search page works
in Chromium and degrades to plain links without JavaScript."""

from __future__ import annotations

import pytest

from tests.support.html import page
from tests.support.nginx import Nginx


@pytest.fixture(scope="module")
def server(sample_sites, tmp_path_factory):
    with Nginx(
        sample_sites["public"], tmp_path_factory.mktemp("nginx-search")
    ) as nginx:
        yield nginx


def search(chromium, server, query: str) -> list[str]:
    context = chromium.new_context()
    browser_page = context.new_page()
    browser_page.goto(server.url + "/search/")
    browser_page.fill(".pagefind-ui__search-input", query)
    browser_page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
    links = browser_page.eval_on_selector_all(
        ".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))"
    )
    context.close()
    return links


def test_search_for_a_division_number_finds_its_page(chromium, server):
    links = search(chromium, server, "52 Division")
    assert any(link.rstrip("/").endswith("units/52-division") for link in links[:3]), (
        links
    )


def test_search_finds_posts(chromium, server):
    links = search(chromium, server, "grandparent scam")
    assert any("blogs/crime-blog/grandparent-scam-warning" in link for link in links), (
        links
    )


def test_search_page_without_javascript_leads_to_the_directory(chromium, server):
    context = chromium.new_context(java_script_enabled=False)
    browser_page = context.new_page()
    browser_page.goto(server.url + "/search/")
    links = browser_page.eval_on_selector_all(
        "#search a", "els => els.map(e => e.getAttribute('href'))"
    )
    assert any(link.endswith("units/") for link in links)
    context.close()


def test_only_content_pages_are_indexed(public_site):
    assert (
        page(public_site, "units/52-division/").find("main")["data-pagefind-body"] == ""
    )
    assert (
        page(public_site, "blogs/crime-blog/")
        .find("main")
        .has_attr("data-pagefind-body")
    )
    for listing in ("tags/", "authors/", "archives/", ""):
        assert (
            not page(public_site, listing).find("main").has_attr("data-pagefind-body")
        ), listing
