"""Benchmark the records archive's export (not a test): `invoke bench` reports it.

Fills a fresh archive with 10,000 versions (one account, 5,000 items each
edited once; `--accounts` spreads them), then times `archive-export` of every
account to CSV and to JSON. Target: the whole export of 10,000 versions in a few seconds at most
(TARGET_SECONDS).

    python bench/archive.py [--versions 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TARGET_SECONDS = 3.0


def run(versions: int = 10_000, accounts: int = 1) -> dict:

    from tps.records_archive import open_archive  # isort: skip
    from tps.records_archive.export import export  # isort: skip
    from tps.social_feeds.models import FeedItem  # isort: skip

    per_account = max(1, versions // (accounts * 2))
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with tempfile.TemporaryDirectory(prefix="tps-bench-archive-") as folder:
        archive = open_archive(Path(folder) / "archive.sqlite")

        def items(account: int, edit: int) -> list[FeedItem]:
            return [
                FeedItem(
                    id=f"urn:{account}:{n}",
                    account=f"x:Bench{account}",
                    platform="x",
                    handle=f"Bench{account}",
                    title=f"Notice {n}",
                    summary=f"Notice {n} from account {account}, version {edit}. " * 4,
                    html=f"<p>Notice {n} from account {account}, version {edit}.</p>",
                    link=f"https://x.com/Bench{account}/status/{n}",
                    published=start + dt.timedelta(hours=n),
                )
                for n in range(per_account)
            ]

        began = time.perf_counter()
        for account in range(accounts):
            for edit in (1, 2):
                archive.record(
                    f"x:Bench{account}",
                    items(account, edit),
                    start + dt.timedelta(days=edit * 30),
                )
        recorded = time.perf_counter() - began
        total = archive.count()
        timings = {}
        for fmt in ("csv", "json"):
            began = time.perf_counter()
            rows = 0
            for account in range(accounts):
                rows += export(
                    archive, io.StringIO(), account=f"x:Bench{account}", fmt=fmt
                )
            timings[fmt] = time.perf_counter() - began
            assert rows == total, (rows, total)
        archive.close()
    return {
        "versions": total,
        "accounts": accounts,
        "record_seconds": round(recorded, 3),
        "export_csv_seconds": round(timings["csv"], 3),
        "export_json_seconds": round(timings["json"], 3),
        "target_seconds": TARGET_SECONDS,
    }


def report(figures: dict) -> bool:
    met = (
        max(figures["export_csv_seconds"], figures["export_json_seconds"])
        <= TARGET_SECONDS
    )
    print(
        f"  archive export, {figures['versions']} versions of {figures['accounts']} account(s): csv {figures['export_csv_seconds']:.2f} s,"
        f" json {figures['export_json_seconds']:.2f} s (recording them took"
        f" {figures['record_seconds']:.2f} s; target <= {TARGET_SECONDS:g} s:"
        f" {'met' if met else 'MISSED'})"
    )
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=1)
    args = parser.parse_args(argv)
    return 0 if report(run(args.versions, args.accounts)) else 1


if __name__ == "__main__":
    sys.exit(main())
