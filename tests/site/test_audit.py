"""The site audit (invoke audit): the sample sites pass it, and planted defects
of every kind it checks are caught, each named with its page and reason."""

from __future__ import annotations

import base64
import os
import shutil

import pytest

from tps.deploy.deploy import Target
from tps.site.audit import audit_site
from tps.site.audit.pages import select_pages
from tps.site.audit.scan import scan_site
from tps.site.publish import PublishError, publish


@pytest.fixture(scope="module")
def sample_audits(sample_sites):
    return {site: audit_site(site, folder) for site, folder in sample_sites.items()}


@pytest.mark.parametrize("site", ["public", "internal"])
def test_the_sample_site_passes_the_audit(sample_audits, site):
    audit = sample_audits[site]
    assert [str(b) for b in audit.breaches] == []
    by_url = {result.page.url: result for result in audit.pages}
    home = by_url["/"]
    assert home.status == 200 and home.transferred > 5_000, "weight is measured"
    search = by_url["/search/"]
    assert search.javascript > 10_000, "the search box's JavaScript is counted"
    assert by_url["/audit-no-such-page/"].status == 404


def test_every_page_type_is_loaded_in_the_browser(sample_audits):
    """Discovered from the built site, so new page types join without a list."""
    shapes = {
        site: {r.page.kind.split(" (")[0] for r in audit.pages}
        for site, audit in sample_audits.items()
    }
    common = {
        "home",
        "blogs/",
        "blogs/*/",
        "blogs/*/page/*/",
        "blogs/*/*/",
        "tags/",
        "tags/*/",
        "authors/",
        "authors/*/",
        "archives/",
        "units/",
        "units/*/",
        "search/",
        "social-media/*/",
        "404",
    }
    assert common <= shapes["public"]
    assert (
        common | {"profile-library/", "procedures/*/", "training/*/"}
        <= shapes["internal"]
    )
    urls = {r.page.url for r in sample_audits["public"].pages}
    assert "/social-media/accounts/" in urls, "the account registry"


def test_one_page_per_type_not_every_post(public_site):
    scanned = scan_site(public_site)
    selected = select_pages(scanned)
    posts = [p for p in scanned if p.url.count("/") == 4 and "/page/" not in p.url]
    assert len(posts) > 20
    assert len(selected) < len(scanned) / 3


def _plant(site, tmp_path):
    """A copy of the built public site with one defect of each kind on its home page."""
    planted = tmp_path / "planted"
    shutil.copytree(site, planted)
    (planted / "theme/js/heavy.js").write_text(
        "// " + base64.b64encode(os.urandom(60_000)).decode() + "\n"
    )
    heavy_image = base64.b64encode(os.urandom(400_000)).decode()
    defects = f"""
<img src="theme/images/og-card.png" width="10" height="10">
<a href="no/such/page/">a broken link</a>
<a href="about/#nowhere">a broken anchor</a>
<center>an obsolete element</center>
<script>document.title = "inline";</script>
<script src="theme/js/heavy.js"></script>
<img src="data:image/png;base64,{heavy_image}" alt="">
"""
    home = planted / "index.html"
    home.write_text(
        home.read_text().replace('<main id="main"', defects + '<main id="main"', 1)
    )
    return planted


def test_planted_defects_are_each_caught_with_page_and_reason(public_site, tmp_path):
    audit = audit_site("public", _plant(public_site, tmp_path), urls=["/", "/about/"])
    breaches = [str(b) for b in audit.breaches]
    home = [b for b in breaches if b.startswith("public /: ")]

    def found(*words):
        return [b for b in breaches if all(w in b for w in words)]

    assert found("public /: ", "axe image-alt"), breaches
    assert found("index.html line", "broken link", "no/such/page/"), breaches
    assert found("broken link", "about/#nowhere", "'nowhere'"), breaches
    assert found("invalid HTML", "center"), breaches
    assert found("public /: ", "console error", "Content Security Policy"), home
    assert found("public /: ", "page weight"), home
    assert found("public /: ", "JavaScript", "> 50 KB"), home
    others = [b for b in breaches if "index.html" not in b and "public /: " not in b]
    assert others == [], "only the planted page breaches"


def test_publish_runs_the_audit_and_a_breach_deploys_nothing(content_copy, tmp_path):
    post = content_copy / "blogs/traffic-services/audit-canary.md"
    post.write_text(
        "Title: A post with a broken link\nDate: 2026-07-01 10:00\n"
        "Author: Helen Kowalski\n\nSee [the old page](../no-such-post/) for more.\n"
    )
    target = tmp_path / "srv"
    with pytest.raises(PublishError) as failed:
        publish(("public",), str(target), content=content_copy, lock=tmp_path / "lock")
    assert failed.value.step == "audit"
    assert "no-such-post" in failed.value.reason
    assert Target.parse(str(target), "public").releases() == []
