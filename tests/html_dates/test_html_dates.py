"""Every machine-readable date in both sites is valid HTML, also after a real
feed refresh (whose report carries microsecond timestamps)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from tps.core.paths import ROOT
from tps.html_dates import html_datetime, is_valid
from tps.site.audit.vnu import html_errors
from tps.site.build import build
from tps.social_feeds.command import refresh_feeds, settings_for_cache

DATE_ATTRIBUTE = re.compile(
    r'<time[^>]*\sdatetime="([^"]*)"|property="article:(?:published|modified)_time" content="([^"]*)"'
)


def test_the_formatter_drops_microseconds_and_keeps_the_offset():
    moment = dt.datetime(2026, 12, 1, 21, 22, 6, 953723, tzinfo=dt.UTC)
    assert html_datetime(moment) == "2026-12-01T21:22:06+00:00"
    assert (
        html_datetime("2026-12-01T21:22:06.953723+00:00") == "2026-12-01T21:22:06+00:00"
    )
    assert html_datetime(dt.date(1, 1, 1)) == "0001-01-01"
    assert html_datetime(dt.datetime(2026, 7, 27, 9, 30)) == "2026-07-27T09:30:00"
    assert not is_valid(moment.isoformat())  # what the templates used to write
    assert all(is_valid(html_datetime(v)) for v in (moment, moment.date()))


def test_both_sites_have_only_valid_dates_after_a_failed_refresh(
    content_copy, tmp_path, httpserver
):
    cache = tmp_path / "feeds-cache"
    shutil.copytree(ROOT / "feeds" / "cache", cache)
    for path in (content_copy / "units").glob("*.yaml"):  # every feed: 404
        text = re.sub(r"^\s*api_id: .*\n", "", path.read_text(), flags=re.M)
        path.write_text(
            re.sub(r"feed: https://\S+", f"feed: {httpserver.url_for('/gone')}", text)
        )
    refresh_feeds(content_copy, cache=cache, deadline=20)
    report = (cache / "report.json").read_text()
    assert re.search(r"T\d\d:\d\d:\d\d\.\d{4,}", report)  # the trigger of issue 12

    output = tmp_path / "out"
    build(
        content=content_copy,
        output_root=output,
        settings=settings_for_cache(cache),
        cache_root=tmp_path / "cache",
    )
    seen = 0
    for site in ("public", "internal"):
        for page in (output / site).rglob("*.html"):
            for match in DATE_ATTRIBUTE.finditer(page.read_text()):
                value = match[1] if match[1] is not None else match[2]
                assert is_valid(value), f"{page}: datetime {value!r}"
                seen += 1
    assert seen > 100

    # The pages issue 12 named, through the audit's own checker.
    checked = tmp_path / "vnu"
    for name in ("dashboard", "monitoring"):
        (checked / name).mkdir(parents=True)
        shutil.copy(output / "internal" / name / "index.html", checked / name)
    assert "Last refresh started" in (checked / "dashboard/index.html").read_text()
    assert html_errors(Path(checked)) == []
