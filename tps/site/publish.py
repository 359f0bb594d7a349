"""`invoke publish`: build, check, prove no leak, deploy atomically; a failed
step deploys nothing. One publish at a time, per machine."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tps.core.files import files_ending
from tps.core.paths import CONTENT, ROOT
from tps.core.problems import ContentError
from tps.deploy.deploy import DeployError, Target, deploy
from tps.social_feeds.command import settings_for_cache

from .build import BuildError, build
from .check import run_checks
from .feeds import FeedsError, refresh_and_record
from .leakcheck import find_leaks

LOCK = ROOT / ".cache" / "publish.lock"


class PublishError(Exception):
    def __init__(self, step: str, reason: str):
        self.step, self.reason = step, reason
        super().__init__(
            f"publish stopped at '{step}': {reason}\nNothing was deployed."
        )


class PublishLocked(PublishError):
    pass


class PublishLock:
    """A pid file; a lock whose process is gone is stale and taken over."""

    def __init__(self, path: Path = LOCK):
        self.path = Path(path)

    def __enter__(self) -> PublishLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                descriptor = os.open(
                    self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644
                )
            except FileExistsError:
                holder = self._holder()
                if holder and _alive(holder):
                    raise PublishLocked(
                        "lock",
                        f"another publish is running (pid {holder}, lock {self.path})",
                    ) from None
                self.path.unlink(missing_ok=True)  # stale: its process is gone
                continue
            with os.fdopen(descriptor, "w") as handle:
                handle.write(f"{os.getpid()}\n")
            return self
        raise PublishLocked("lock", f"could not take {self.path}")

    def __exit__(self, *exc) -> None:
        if self._holder() == os.getpid():
            self.path.unlink(missing_ok=True)

    def _holder(self) -> int | None:
        try:
            return int(self.path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Published:
    site: str
    release: str
    target: Target
    summary: dict


def publish(
    sites: tuple[str, ...],
    target: str,
    *,
    keep: int = 5,
    content: Path = CONTENT,
    lock: Path = LOCK,
    audit: bool = True,
    refresh: bool = False,
    feeds_cache: Path | None = None,
) -> list[Published]:
    """Refresh the feeds (when asked), build, check, prove no leak, audit, then
    deploy each site. A failed feed is reported, not fatal; any other failed
    step raises PublishError and deploys nothing."""
    with (
        PublishLock(lock),
        tempfile.TemporaryDirectory(prefix="tps-publish-") as folder,
    ):
        started = time.monotonic()
        output = Path(folder)
        feeds_failed = None
        if refresh:
            report = _step("feeds", refresh_and_record, content, cache=feeds_cache)
            feeds_failed = len(report.failed)
        settings = settings_for_cache(feeds_cache) if feeds_cache else {}
        _step(
            "build",
            build,
            sites,
            content=content,
            output_root=output,
            settings=settings,
        )
        errors = [p for p in run_checks(content) if p.severity == "error"]
        if errors:
            raise PublishError("check", "; ".join(str(p) for p in errors))
        if "public" in sites:
            leaks = find_leaks(output / "public", content)
            if leaks:
                raise PublishError(
                    "leak check",
                    "internal content in the public build: " + "; ".join(leaks[:10]),
                )
        if audit:
            _audit({site: output / site for site in sites})
        seconds = round(time.monotonic() - started, 2)
        done = []
        for site in sites:
            site_target = Target.parse(target, site)
            pages = len(files_ending(output / site, ".html"))
            summary = {
                "site": site,
                "pages": pages,
                "build_seconds": seconds,
                "feeds_failed": feeds_failed,
            }
            result = _step("deploy", deploy, output / site, site_target, keep, summary)
            done.append(Published(site, result["release"], site_target, result))
        return done


def summary_line(done: list[Published], seconds: float) -> str:
    """One line per scheduled run, for the journal or the log file."""
    feeds_failed = done[0].summary.get("feeds_failed") if done else None
    sites = " ".join(
        f"{p.site}={p.release}(pages={p.summary['pages']},changed={p.summary['changed_files']})"
        for p in done
    )
    feeds = "n/a" if feeds_failed is None else str(feeds_failed)
    return f"publish ok in {seconds:.1f}s: {sites} feeds_failed={feeds}"


def _audit(sites: dict[str, Path]) -> None:
    """The staged build must pass `invoke audit` (axe, weight, links, vnu)."""
    from .audit import AuditError, audit_sites, print_report

    try:
        audits = audit_sites(sites, fail_fast=True)
    except (AuditError, ImportError) as error:
        raise PublishError("audit", f"the audit could not run: {error}") from error
    breaches = [breach for site in audits for breach in site.breaches]
    if breaches:
        print_report(audits)
        listed = "; ".join(str(b) for b in breaches[:10])
        more = f" (and {len(breaches) - 10} more)" if len(breaches) > 10 else ""
        raise PublishError("audit", f"{len(breaches)} breach(es): {listed}{more}")


def _step(name: str, action, *args, **kwargs):
    try:
        return action(*args, **kwargs)
    except (ContentError, BuildError, DeployError, FeedsError, OSError) as error:
        raise PublishError(name, str(error)) from error
