"""Benchmark our build against vanilla Pelican (not a test): `invoke bench`.

Generates a synthetic corpus of N posts across the six blogs (the real content
tree otherwise: pages, internal pages, the 27 unit files; the sample feed cache
is the committed one), then times in one run, so that ratios survive a noisy
machine (every timing is repeated ``--rounds`` times, ours and vanilla back to
back in each round; the ratio of each round is taken, then the median):

- cold: our full build of both sites (`tps.site.build.build`, the two sites
  in parallel processes, search indexing included) with an empty cache, against
  vanilla Pelican 4.12 (default theme, no plugins, no cache) building the same
  Markdown posts;
- warm: our rebuild after an edit to one post's first paragraph, against
  vanilla's cold build (the round's second build, with nothing changed, comes
  first: it is the one that traces every page for the incremental rebuilds);
- preview (bench/preview.py): ``invoke serve``'s process on the corpus; an edit
  to a first paragraph until the served page shows it (median of 3), and a new
  post until its blog's first page lists it, each against vanilla's cold build;
- feeds: the feed refresh benchmark (bench/feeds.py `run`), when present;
- archive: exporting 10,000 archived versions (bench/archive.py), target a few
  seconds at most;
- peak memory: the largest resident set of any build or preview process.

Targets at 2,000 posts: cold <= 1.0x vanilla, warm <= 0.5x, preview edit <=
0.1x, new post <= 0.25x, peak memory < 1 GiB. ``--posts 10000`` shows how the
costs grow (reported, not judged).

    python -m bench.build [--posts 2000] [--rounds 3] [--keep DIR] [--no-feeds]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LINKED_POST = re.compile(r"\{filename\}/?blogs/([^)\"' ]+\.md)")
TARGET_POSTS = 2000
TARGETS = {
    "cold": 1.0,
    "warm": 0.5,
    "preview_edit": 0.1,
    "preview_new_post": 0.25,
    "memory_mib": 1024,
}
TAGS = [
    "Road safety", "Vision Zero", "Impaired driving", "Distracted driving",
    "Cycling", "Pedestrians", "School zones", "Winter driving", "Motorcycles",
    "RIDE", "Collisions", "Fraud", "Auto theft", "Break and enter", "Robbery",
    "Hate crime", "Online safety", "Seniors", "Youth", "Scarborough",
    "North York", "Etobicoke", "East York", "Downtown", "East End", "Community",
    "Events", "Town hall", "CPLC", "Recruiting", "Careers", "Training",
    "Wellness", "Recognition", "Awards", "Forensics", "Marine Unit",
    "Mounted Unit", "Investigations", "Appeals", "Missing persons", "Pride",
    "Accessibility", "Program", "Monitoring", "Vetting", "Support",
    "Behind the scenes", "Holidays", "Sports", "Lake Ontario", "Parks",
    "Transit", "Festivals", "Newcomers", "Mental health", "Neighbourhoods",
    "Traffic", "Prevention", "Volunteers",
]  # fmt: skip
WORDS = ["the", "service", "officers", "community", "neighbourhood", "safety", "residents", "division", "members", "public", "report", "traffic", "drivers", "road", "week", "program", "partners", "local", "support", "centre", "colour", "behaviour", "questions", "information", "volunteers", "youth", "families", "school", "season", "summer", "winter", "collision", "investigation", "help", "call", "contact", "meeting", "committee", "plan", "city", "street", "park", "across", "every", "together"]  # fmt: skip


# --- the corpus ---------------------------------------------------------------


def _members(units: Path) -> list[tuple[str, str]]:
    import yaml

    found = []
    for path in sorted(units.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        for member in data.get("members") or []:
            found.append((member["name"], path.stem))
    return found


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _body(rng: random.Random) -> str:
    paragraphs = []
    for section in range(rng.randint(2, 4)):
        if section:
            paragraphs.append(f"## {_sentence(rng, 4)[:-1]}")
        for _ in range(rng.randint(2, 3)):
            paragraphs.append(
                " ".join(_sentence(rng, rng.randint(8, 18)) for _ in range(4))
            )
        if rng.random() < 0.4:
            paragraphs.append(
                "\n".join(f"- {_sentence(rng, 6)}" for _ in range(rng.randint(2, 5)))
            )
        if rng.random() < 0.3:
            paragraphs.append(
                f"Call **416-808-2222** or read [our advice](https://www.tps.ca/) "
                f"about *{rng.choice(WORDS)}*."
            )
    return "\n\n".join(paragraphs) + "\n"


def make_corpus(target: Path, posts: int, seed: int = 2026) -> list[Path]:
    """The real content tree with N generated posts in place of the sample posts."""
    source = ROOT / "content"
    # Sample posts go, except those that pages link to ({filename} links).
    linked = {
        match.group(1)
        for path in source.rglob("*.md")
        for match in LINKED_POST.finditer(path.read_text())
    }

    def ignore(folder: str, names: list[str]) -> list[str]:
        if Path(folder).parent != source / "blogs":
            return []
        blog = Path(folder).name
        return [n for n in names if n.endswith(".md") and f"{blog}/{n}" not in linked]

    shutil.copytree(source, target, ignore=ignore)
    rng = random.Random(seed)
    blogs = sorted(p.name for p in (target / "blogs").iterdir() if p.is_dir())
    members = _members(target / "units")
    start = datetime(2022, 11, 1, 8, 0)
    written = []
    for n in range(posts):
        blog = blogs[n % len(blogs)]
        author, unit = rng.choice(members)
        date = start + timedelta(minutes=n * (2_000_000 // max(posts, 1)))
        tags = ", ".join(rng.sample(TAGS, rng.randint(1, 3)))
        title = _sentence(rng, rng.randint(4, 9))[:-1]
        lines = [
            f"Title: {title}",
            f"Date: {date:%Y-%m-%d %H:%M}",
            f"Author: {author}",
            f"Unit: {unit}",
            f"Tags: {tags}",
            f"Summary: {_sentence(rng, 14)}",
        ]
        if blog != "the-badge" and rng.random() < 0.05:
            lines.append("Audience: internal")
        path = target / "blogs" / blog / f"post-{n:05d}.md"
        path.write_text("\n".join(lines) + "\n\n" + _body(rng))
        written.append(path)
    return written


# --- vanilla Pelican ------------------------------------------------------------

VANILLA = """# Vanilla Pelican: default theme, no plugins, the same Markdown posts.
PATH = {content!r}
ARTICLE_PATHS = ["blogs"]
PAGE_PATHS = []
STATIC_PATHS = []
IGNORE_FILES = [".*", "*.yaml"]
TIMEZONE = "America/Toronto"
SITENAME = "Vanilla"
SITEURL = ""
PLUGINS = []
# URLs from file names, as ours: generated titles repeat at 10,000 posts.
SLUGIFY_SOURCE = "basename"
CACHE_PATH = {cache!r}
"""


def _settled() -> None:
    """Before each timing: what the previous steps wrote (or deleted: a whole
    output tree) reaches the disk now, not during the next build timed."""
    os.sync()


def _timed(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process."""
    _settled()
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed: {process.stderr.read()}")
    return seconds, usage.ru_maxrss


def vanilla_build(
    content: Path, work: Path, *, cached: bool = False
) -> tuple[float, int]:
    settings = work / "vanilla.conf.py"
    settings.write_text(
        VANILLA.format(content=str(content), cache=str(work / "vanilla-cache"))
        + ("CACHE_CONTENT = True\nLOAD_CONTENT_CACHE = True\n" if cached else "")
    )
    output = work / "vanilla-output"
    shutil.rmtree(output, ignore_errors=True)
    return _timed(
        [sys.executable, "-m", "pelican", str(content), "-s", str(settings),
         "-o", str(output), "-q"]
    )  # fmt: skip


# --- ours -------------------------------------------------------------------------


def our_build(content: Path, output: Path, cache: Path) -> float:
    from tps.site.build import build, wait_for_removals

    _settled()
    started = time.perf_counter()
    build(content=content, output_root=output, cache_root=cache)
    seconds = time.perf_counter() - started
    # The previous output is deleted in the background once the new one is in
    # place; that work must not land on the next timing (ours or vanilla's).
    wait_for_removals()
    return seconds


def _children_peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def edit_one_post(post: Path) -> None:
    """What editors do: change the first paragraph (not append at the end)."""
    from bench.preview import edit_first_paragraph

    edit_first_paragraph(post, "Updated: the benchmark changed this paragraph.")


def one_round(content: Path, work: Path, edits: list[Path]) -> dict:
    """Every timing once, ours and vanilla back to back on the same corpus."""
    cache, output = work / "cache", work / "output"
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(output, ignore_errors=True)
    times: dict = {}
    times["ours_cold"] = our_build(content, output, cache)
    times["ours_warm_no_change"] = our_build(content, output, cache)
    edit_one_post(edits[0])
    times["ours_warm_one_edit"] = our_build(content, output, cache)
    times["vanilla_cold"], times["vanilla_kib"] = vanilla_build(content, work)
    vanilla_build(content, work, cached=True)  # fills vanilla's cache
    edit_one_post(edits[1])
    times["vanilla_warm_one_edit"], _ = vanilla_build(content, work, cached=True)
    return times


def run(
    posts: int = 2000, keep: Path | None = None, feeds: bool = True, rounds: int = 3
) -> dict:

    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="tps-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        content = work / "content"
        shutil.rmtree(content, ignore_errors=True)
        written = make_corpus(content, posts)
        # Each round edits other posts, in the middle and a third of the way in.
        measured = [
            one_round(
                content,
                work,
                [written[len(written) // 2 + n], written[len(written) // 3 + n]],
            )
            for n in range(rounds)
        ]
        figures: dict = {"posts": posts, "rounds": measured}
        for name in measured[0]:
            figures[name] = statistics.median(r[name] for r in measured)
        figures["ours_peak_mib"] = _children_peak_kib() / 1024
        figures["vanilla_peak_mib"] = figures.pop("vanilla_kib") / 1024
        # The ratio of each round (both builds met the same machine), then the
        # median: one noisy moment moves one round, not the result.
        figures["cold_ratio"] = statistics.median(
            r["ours_cold"] / r["vanilla_cold"] for r in measured
        )
        figures["warm_ratio"] = statistics.median(
            r["ours_warm_one_edit"] / r["vanilla_cold"] for r in measured
        )
        from bench.preview import run as run_preview

        public = [
            post
            for post in written
            if post.parent.name == "crime-blog" and "Audience:" not in post.read_text()
        ]  # the preview serves the public site
        figures["preview"] = preview = run_preview(
            content, work, [public[len(public) // 4 + 7 * n] for n in range(3)]
        )
        figures["preview_edit_ratio"] = preview["edit"] / figures["vanilla_cold"]
        figures["preview_new_post_ratio"] = (
            preview["new_post"] / figures["vanilla_cold"]
        )
        output = work / "output"
        figures["pages"] = {
            site: sum(1 for _ in (output / site).rglob("*.html"))
            for site in ("public", "internal")
        }
        if feeds:
            figures["feeds"] = _feeds()
        from bench.archive import run as run_archive

        figures["archive"] = run_archive(versions=10_000)
        return figures
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def _feeds() -> dict | str:
    try:
        from bench.feeds import run as run_feeds
    except ImportError:
        return "skipped: bench/feeds.py has no run() yet"
    return run_feeds(feeds=200, latency=0.3)


def report(figures: dict) -> bool:
    """Print every figure and ratio; True when all targets are met (they are
    set for 2,000 posts; smaller or larger runs only report)."""
    n = figures["posts"]
    pages = figures["pages"]
    print(
        f"Corpus: {n} posts; built {pages['public']} public and "
        f"{pages['internal']} internal HTML pages; medians of {len(figures['rounds'])} rounds"
    )
    for number, times in enumerate(figures["rounds"], 1):
        print(
            f"  round {number}: vanilla cold {times['vanilla_cold']:.2f} s, ours cold"
            f" {times['ours_cold']:.2f} s ({times['ours_cold'] / times['vanilla_cold']:.2f}x),"
            f" ours one edit {times['ours_warm_one_edit']:.2f} s"
            f" ({times['ours_warm_one_edit'] / times['vanilla_cold']:.2f}x)"
        )
    print(f"  vanilla Pelican cold            {figures['vanilla_cold']:7.2f} s")
    print(
        f"  vanilla Pelican warm, one edit  {figures['vanilla_warm_one_edit']:7.2f} s"
    )
    print(f"  ours cold, both sites           {figures['ours_cold']:7.2f} s")
    print(f"  ours warm, nothing changed      {figures['ours_warm_no_change']:7.2f} s")
    print(f"  ours warm, one post edited      {figures['ours_warm_one_edit']:7.2f} s")
    preview = figures["preview"]
    print(
        f"  preview: first build served in {preview['first_build']:.2f} s; edit of a"
        f" first paragraph visible in {', '.join(f'{t:.2f}' for t in preview['edits'])} s"
        f" (median {preview['edit']:.2f} s); new post on its blog's first page in"
        f" {preview['new_post']:.2f} s"
    )
    checks = [
        ("cold / vanilla cold", figures["cold_ratio"], TARGETS["cold"]),
        ("warm one edit / vanilla cold", figures["warm_ratio"], TARGETS["warm"]),
        (
            "preview edit / vanilla cold",
            figures["preview_edit_ratio"],
            TARGETS["preview_edit"],
        ),
        (
            "preview new post / vanilla cold",
            figures["preview_new_post_ratio"],
            TARGETS["preview_new_post"],
        ),
    ]
    met = True
    for label, ratio, target in checks:
        ok = ratio <= target
        met &= ok
        print(
            f"  {label:<30} {ratio:6.2f}x  (target <= {target}x: {'met' if ok else 'MISSED'})"
        )
    peak = max(figures["ours_peak_mib"], preview["peak_mib"])
    ok = peak < TARGETS["memory_mib"]
    met &= ok
    print(
        f"  peak memory, largest build or preview process  {peak:6.0f} MiB "
        f"(vanilla {figures['vanilla_peak_mib']:.0f} MiB; target < 1024 MiB: "
        f"{'met' if ok else 'MISSED'})"
    )
    feeds = figures.get("feeds")
    if isinstance(feeds, dict):
        print(
            f"  feed refresh, {feeds['feeds']} feeds at {feeds['latency'] * 1000:.0f} ms: "
            f"cold {feeds['cold']['seconds']:.2f} s, "
            f"revalidation {feeds['revalidate']['seconds']:.2f} s"
        )
    elif feeds:
        print(f"  feed refresh: {feeds}")
    if figures.get("archive"):
        from bench.archive import report as report_archive

        met &= report_archive(figures["archive"])
    if figures["posts"] != TARGET_POSTS:
        print(f"  (targets apply to {TARGET_POSTS} posts: reported, not judged)")
        return True
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument(
        "--keep", type=Path, help="work folder to keep (corpus, output)"
    )
    parser.add_argument("--no-feeds", action="store_true")
    parser.add_argument(
        "--rounds", type=int, default=3, help="repeat every timing; report medians"
    )
    args = parser.parse_args(argv)
    figures = run(args.posts, args.keep, feeds=not args.no_feeds, rounds=args.rounds)
    return 0 if report(figures) else 1


if __name__ == "__main__":
    sys.exit(main())
