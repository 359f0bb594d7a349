"""Tasks for editors and the scheduled job. `invoke --list` shows them all."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent


def _console():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


@task(
    help={
        "site": "public, internal or all (default)",
        "refresh-feeds": "refresh the social feeds cache first (the only network use)",
    }
)
def build(c, site="all", refresh_feeds=False):
    """Build the sites into output/public and output/internal (offline, from the committed content)."""
    from tps.core.problems import ContentError
    from tps.site.build import BuildError, sites_for
    from tps.site.build import build as build_sites

    console = _console()
    if refresh_feeds:
        _refresh_feeds(console)
    try:
        results = build_sites(sites_for(site))
    except (ContentError, BuildError, ValueError) as error:
        console.print(f"[bold red]Build failed:[/] {error}")
        raise Exit(code=1) from None
    for result in results:
        done = [line for line in result.log.splitlines() if "Done:" in line]
        console.print(
            f"[green]{result.site}[/] → {result.output.relative_to(ROOT)}  {done[-1].strip() if done else ''}"
        )
        for line in result.log.splitlines():
            if line.startswith(("Incremental rendering:", "Search index:")):
                console.print(f"  {line}")


def _refresh_feeds(console, deadline=None, content=None, cache=None):
    """Refresh every feed and print the report; Exit(1) if the refresh as a
    whole cannot run (bad unit files or settings, cache not writable)."""
    from rich.console import Console

    from tps.core.paths import CONTENT
    from tps.site.feeds import FeedsError, refresh_and_record
    from tps.social_feeds.report import render

    try:
        report = refresh_and_record(
            Path(content or CONTENT),
            cache=cache,
            deadline=float(deadline) if deadline else None,
        )
    except FeedsError as error:
        console.print(f"[bold red]Feeds refresh failed:[/] {error}")
        raise Exit(code=1) from None
    render(report, Console(highlight=False))
    return report


@task(
    help={
        "strict": "exit 2 if any feed failed (default: only if the refresh could not run)",
        "deadline": "seconds for the whole refresh (default SOCIAL_FEEDS deadline, 60)",
        "content": "content folder whose unit files list the feeds (default content/)",
        "cache": "cache folder (default feeds/cache/)",
    }
)
def feeds(c, strict=False, deadline=None, content=None, cache=None):
    """Refresh every unit account's feed into feeds/cache/ and print the report."""
    console = _console()
    report = _refresh_feeds(console, deadline, content, cache)
    if strict and report.failed:
        console.print(f"[bold red]{len(report.failed)} feed(s) failed (--strict)[/]")
        raise Exit(code=2)


@task(
    help={
        "feeds": "feeds to serve (default 200)",
        "latency": "seconds per response (default 0.3)",
    }
)
def bench_feeds(c, feeds=200, latency=0.3):
    """Benchmark the feeds refresh against a local server: cold, then all-304."""
    from bench.feeds import main

    main(int(feeds), float(latency))


@task(
    help={
        "posts": "synthetic posts to generate (default 2000)",
        "keep": "keep the corpus and outputs in this folder",
        "no_feeds": "skip the feed refresh benchmark",
        "rounds": "repeat every timing this many times and report medians (default 3)",
    }
)
def bench(c, posts=2000, keep=None, no_feeds=False, rounds=3):
    """Time our build against vanilla Pelican on N synthetic posts (cold, warm, memory, feeds)."""
    from bench.build import main

    args = ["--posts", str(int(posts)), "--rounds", str(int(rounds))]
    args += ["--keep", keep] if keep else []
    if main(args + (["--no-feeds"] if no_feeds else [])):
        raise Exit(code=1)


@task(help={"strict": "also fail on warnings"})
def check(c, strict=False):
    """Validate all content and report every problem at once, as file:line."""
    from tps.site.check import run_checks

    console = _console()
    problems = run_checks()
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        console.print(f"[{colour}]{problem.severity}[/] {problem}")
    console.print(f"{len(errors)} error(s), {len(warnings)} warning(s)")
    if errors or (strict and warnings):
        raise Exit(code=1)


@task(
    help={
        "blog": "the blog folder name, e.g. crime-blog",
        "title": "the post title",
        "author": "author name (default: git user.name)",
        "unit": "owning unit slug, e.g. 22-division",
    }
)
def new_post(c, blog, title, author=None, unit=None):
    """Write a new draft post with valid front matter and print its path."""
    from tps.site.newpost import NewPostError
    from tps.site.newpost import new_post as make_post

    try:
        path = make_post(blog, title, author=author, unit=unit)
    except NewPostError as error:
        _console().print(f"[red]{error}[/]")
        raise Exit(code=1) from None
    print(path.relative_to(ROOT))


@task(
    help={
        "site": "public (default) or internal",
        "port": "port on 127.0.0.1 (default 8000)",
    }
)
def serve(c, site="public", port=8000):
    """Preview a site with drafts on http://127.0.0.1:PORT, rebuilding and reloading on every change."""
    from tps.preview import serve as serve_preview

    serve_preview(site, int(port))


@task
def update_golden(c):
    """Rebuild the golden output tests/output/ (both sample sites, fixed clock)."""
    from tps.core.problems import ContentError
    from tps.site.build import BuildError
    from tps.site.golden import FIXED_NOW, GOLDEN, update_golden

    try:
        shot = update_golden()
    except (ContentError, BuildError) as error:
        _console().print(
            f"[bold red]Build failed:[/] {error} (golden output unchanged)"
        )
        raise Exit(code=1) from None
    print(
        f"{GOLDEN.relative_to(ROOT)}/: {len(shot.texts)} text files,"
        f" {len(shot.manifest)} pinned by SHA-256 in manifest.sha256"
        f" (TPS_FIXED_NOW={FIXED_NOW}); review with git diff --stat tests/output"
    )


@task(help={"site": "public, internal or all (default)"})
def audit(c, site="all"):
    """Audit the built sites: axe, console/CSP errors, page weight, links, HTML validity."""
    from tps.core.paths import OUTPUT
    from tps.site.audit import AuditError, audit_sites, print_report
    from tps.site.build import sites_for

    try:
        audits = audit_sites({name: OUTPUT / name for name in sites_for(site)})
    except (AuditError, ValueError, ImportError) as error:
        _console().print(f"[bold red]Audit could not run:[/] {error}")
        raise Exit(code=2) from None
    print_report(audits)
    if any(a.breaches for a in audits):
        raise Exit(code=1)


@task(
    help={"k": "only tests matching this expression", "x": "stop at the first failure"}
)
def test(c, k="", x=False):
    """Run the test suite (builds the sample sites, real nginx and headless Chromium)."""
    args = [sys.executable, "-m", "pytest", "tests"]
    if k:
        args += ["-k", k]
    if x:
        args.append("-x")
    c.run(" ".join(args), pty=False)


@task(
    help={
        "site": "public, internal or all (default)",
        "target": "local path or user@host:path; each site goes to TARGET/<site>/",
        "keep": "releases to keep (default 5)",
        "refresh_feeds": "refresh the social feeds first (default; --no-refresh-feeds to skip)",
    }
)
def publish(c, target, site="all", keep=5, refresh_feeds=True):
    """Refresh feeds, build, check, prove nothing internal leaks, audit, then deploy atomically (nothing on failure)."""
    import time

    from tps.site.build import sites_for
    from tps.site.publish import PublishError, summary_line
    from tps.site.publish import publish as run_publish

    started = time.monotonic()
    try:
        done = run_publish(
            sites_for(site), target, keep=int(keep), refresh=refresh_feeds
        )
    except (PublishError, ValueError) as error:
        reason = str(error).replace("\n", " ")
        print(f"publish FAILED after {time.monotonic() - started:.1f}s: {reason}")
        raise Exit(code=1) from None
    for item in done:
        _console().print(
            f"[green]{item.site}[/] → {item.target.root}/current → releases/{item.release}"
        )
    print(summary_line(done, time.monotonic() - started))


@task(
    help={
        "target": "as for publish",
        "site": "public, internal or all",
        "to": "release name (default: the one before current)",
    }
)
def rollback(c, target, site="all", to=None):
    """Switch `current` back to an earlier release, atomically."""
    from tps.deploy.deploy import DeployError, Target
    from tps.deploy.deploy import rollback as run_rollback
    from tps.site.build import sites_for

    for name in sites_for(site):
        try:
            release = run_rollback(Target.parse(target, name), to)
        except DeployError as error:
            _console().print(f"[red]{name}: {error}[/]")
            raise Exit(code=1) from None
        print(f"{name}: current → releases/{release}")


@task(help={"target": "as for publish", "site": "public, internal or all"})
def releases(c, target, site="all"):
    """List the releases on a target, with their build summary; * marks current."""
    from tps.deploy.deploy import DeployError, Target, list_releases
    from tps.site.build import sites_for

    for name in sites_for(site):
        try:
            rows = list_releases(Target.parse(target, name))
        except DeployError as error:
            _console().print(f"[red]{name}: {error}[/]")
            raise Exit(code=1) from None
        print(f"{name}:")
        for row in rows:
            mark = "*" if row["current"] else " "
            print(
                f" {mark} {row['release']}  pages={row.get('pages', '?')}  build={row.get('build_seconds', '?')}s"
            )


@task(
    help={
        "every": "interval, e.g. 15m (default) or 1h",
        "target": "as for publish (default /srv/tps)",
        "site": "public, internal or all",
        "install": "install it (systemd timer, or crontab without systemd)",
        "refresh_feeds": "each run refreshes the feeds first (default; --no-refresh-feeds to skip)",
    }
)
def schedule(
    c, every="15m", target="/srv/tps", site="all", install=False, refresh_feeds=True
):
    """Print (or --install) the systemd timer or crontab line that runs publish."""
    from tps.site import schedule as plan

    try:
        if install:
            print(plan.install(every, target, site, refresh_feeds))
            return
        if plan.has_systemd():
            units = plan.systemd_units(every, target, site, refresh_feeds)
            for name, text in units.items():
                print(f"# /etc/systemd/system/{name}\n{text}")
        else:
            print(plan.cron_line(every, target, site, refresh_feeds))
            print(plan.expiry_cron_line(target))
    except (ValueError, OSError, subprocess.CalledProcessError) as error:
        _console().print(f"[red]{error}[/]")
        raise Exit(code=1) from None


@task(
    help={
        "account": "PLATFORM:HANDLE, e.g. facebook:TPS32Division",
        "since": "first publication date to include (YYYY-MM-DD)",
        "until": "last publication date to include (YYYY-MM-DD)",
        "format": "csv (default) or json",
    }
)
def archive_export(c, account, since=None, until=None, format="csv"):
    """Write every archived version of one account's items to standard output (one row per version)."""
    from tps.records_archive import ArchiveError
    from tps.records_archive.command import export_account
    from tps.social_feeds.settings import project_archive

    try:
        export_account(
            account,
            sys.stdout,
            since=since,
            until=until,
            fmt=format,
            path=project_archive(),
        )
    except (ValueError, ArchiveError) as error:
        _console().print(f"[red]archive-export:[/] {error}")
        raise Exit(code=1) from None


@task
def archive_prune(c):
    """Remove archived versions older than SOCIAL_FEEDS archive_retention_days (none set: keep forever)."""
    from tps.records_archive import ArchiveError
    from tps.records_archive.command import prune
    from tps.social_feeds.settings import project_feed_settings

    console = _console()
    try:
        removed = prune(project_feed_settings())
    except ArchiveError as error:
        console.print(f"[red]archive-prune:[/] {error}")
        raise Exit(code=1) from None
    if removed is None:
        console.print(
            "No retention period is set (SOCIAL_FEEDS archive_retention_days): the archive keeps every version."
        )
    else:
        console.print(
            f"Pruned {removed} version(s); the prune is logged in the archive's prunes table."
        )


@task(
    help={
        "target": "as for publish: a local path or user@host:path",
        "title": "a short title (required to publish)",
        "message": "what happened and what to do (required to publish)",
        "link": "optional https:// URL or /path for more information",
        "until": "optional end, YYYY-MM-DD HH:MM Toronto time: it stops showing then",
        "level": "warning (default) or emergency",
        "by": "who publishes or clears it, for the log (default: your user name)",
        "clear": "clear every alert, or only --id",
        "id": "with --clear: the alert to clear",
        "list": "list the alerts shown now",
        "expire": "drop alerts past their until (the schedule runs this every minute)",
    }
)
def alert(
    c,
    target,
    title=None,
    message=None,
    link=None,
    until=None,
    level=None,
    by=None,
    clear=False,
    id=None,
    list=False,
    expire=False,
):
    """Publish, clear or list site-wide alerts on a target, without a rebuild."""
    from tps.alerts import command as live
    from tps.alerts.model import AlertError

    try:
        if list:
            shown = live.list_alerts(target)
            for item in shown:
                until_text = f" until {item.until:%Y-%m-%d %H:%M}" if item.until else ""
                print(
                    f"{item.id}  {item.level}  {item.title}  (posted {item.posted:%Y-%m-%d %H:%M}{until_text}, {item.source})"
                )
            if not shown:
                print("no alert is shown")
        elif clear:
            ids = live.clear_alerts(target, id=id, by=by)
            print(f"cleared: {', '.join(ids) or 'nothing was shown'}")
        elif expire:
            ended = live.expire(target)
            print(f"expired: {', '.join(ended) or 'none'}")
        else:
            item = live.publish_alert(
                target,
                title=title,
                message=message,
                link=link,
                until=until,
                level=level,
                by=by,
            )
            print(f"published alert {item.id} on {target}")
    except AlertError as error:
        _console().print(f"[red]alert FAILED: {error}[/] (nothing changed)")
        raise Exit(code=1) from None


@task
def clean(c):
    """Remove build output and caches."""
    for path in (ROOT / "output", ROOT / ".cache"):
        shutil.rmtree(path, ignore_errors=True)
        print(f"removed {path.relative_to(ROOT)}/")
