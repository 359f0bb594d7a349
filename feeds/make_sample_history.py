"""Make the committed sample metrics history (feeds/history.csv) from the sample cache.

    .venv/bin/python feeds/make_sample_history.py [--weeks 12]

A real history builds up one row per metric per day as the scheduled job builds
the site. The sample needs weeks of it for the dashboard's trends, so this
recomputes the metrics as of each past week from the cached items that existed
then (published on or before that day), with the same code the build uses
(governance.metrics and governance.monitor). Feed health cannot be known for
past days and is left out of those rows. The last row (the cache's as-of date)
is written by an internal build, exactly as the scheduled job writes it.

Caveat, stated on purpose: the cache keeps each feed's latest items only, so
these rows may undercount the busiest accounts' earliest weeks. The internal
build recomputes the posting rows of the last 12 weeks from the records
archive (tps/records_archive, every item ever fetched) and shows those.
"""

from __future__ import annotations

import argparse
import datetime as dt
import runpy
import sys
import tempfile
from pathlib import Path

from tps.governance import history
from tps.governance.metrics import as_of_from, summarize
from tps.governance.monitor import monitor
from tps.governance.project import load_setup
from tps.site.build import build
from tps.social_feeds.cache import load_all
from tps.social_feeds.registry import feed_accounts
from tps.social_feeds.settings import feed_settings
from tps.units import load_directory

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
HISTORY = ROOT / "feeds" / "history.csv"


def public_paths(site: Path) -> set[str]:
    """The URL paths of a built site: folders with an index.html, and files."""
    paths = set()
    for file in site.rglob("*"):
        if file.is_file():
            relative = file.relative_to(site).as_posix()
            paths.add(relative.removesuffix("index.html"))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=12)
    args = parser.parse_args()

    settings = runpy.run_path(str(ROOT / "internal.conf.py"))
    directory, problems = load_directory(CONTENT)
    if problems:
        sys.exit("\n".join(str(p) for p in problems))
    accounts = feed_accounts(CONTENT)
    feeds = load_all(feed_settings(settings, ROOT).cache_dir, [a.key for a in accounts])
    as_of = as_of_from(feeds.values())
    if as_of is None:
        sys.exit("feeds/cache/ has no successful fetch: run feeds/make_sample_cache.py")
    zone = dt.timezone(dt.timedelta(hours=-5))
    as_of = as_of.astimezone(zone)

    with tempfile.TemporaryDirectory() as folder:
        HISTORY.unlink(missing_ok=True)
        # The public build gives the URL list the link check uses; the internal
        # build records the as-of day's rows, as every scheduled build does.
        build(("public", "internal"), output_root=Path(folder))
        paths = public_paths(Path(folder) / "public")
    setup = load_setup(CONTENT, directory, settings, site_paths=paths)
    units = [(u.slug, u.unit.name) for u in directory.units]
    rows: list[history.Row] = []
    for week in range(args.weeks, 0, -1):
        moment = as_of - dt.timedelta(days=7 * week)
        found = monitor(setup.checker, accounts, feeds, [], moment, setup.silences)
        dates = [
            (f.subject.account, f.subject.published)
            for f in found.findings
            if f.subject.published
        ]
        summary = summarize(accounts, feeds, units, moment, dates)
        rows += history.rows_for(summary, health=False)
    merged = history.record(HISTORY, rows)
    print(
        f"{HISTORY.relative_to(ROOT)}: {len(merged)} rows, {len({r.date for r in merged})} days"
    )


if __name__ == "__main__":
    main()
