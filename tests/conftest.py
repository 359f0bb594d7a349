from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest

from tps.core import clock
from tps.core.paths import CONTENT, ROOT, SITES
from tps.site.build import CACHE_ROOT_ENV
from tps.site.golden import FIXED_NOW, build_sample

# Every incremental build in the suite checks itself (tps/incremental): each
# page it reuses is rendered anyway and must give the same bytes. The Pelican
# processes the builds start inherit it.
os.environ["TPS_INCREMENTAL_VERIFY"] = "1"

# The suite runs in two worker processes (pytest-xdist, pyproject.toml). Each
# has a cache folder of its own for the builds that name none (the Markdown
# read cache, compiled templates, traces, the search index manifest), so one
# worker's build never reads or prunes what the other's is writing.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ.setdefault(CACHE_ROOT_ENV, str(ROOT / ".cache" / f"suite-{WORKER}"))

# The slowest modules start first, so that neither worker is left with one of
# them at the end while the other has nothing to do (the rest keep their order).
SLOW_FIRST = (
    "tests/site/test_audit.py",
    "tests/incremental/test_incremental.py",
    "tests/site/test_publish.py",
    "tests/alerts/test_alerts.py",
    "tests/site/test_fast_builds.py",
)


def pytest_collection_modifyitems(items):
    def rank(item):
        path = item.nodeid.split("::", 1)[0]
        return SLOW_FIRST.index(path) if path in SLOW_FIRST else len(SLOW_FIRST)

    items.sort(key=rank)  # stable: the order within a module stays


@pytest.fixture(scope="session")
def sample_sites(tmp_path_factory) -> dict[str, Path]:
    """The committed sample content, built once for the whole session with the
    fixed clock (TPS_FIXED_NOW), so tests/site/test_golden_output.py diffs this
    very build against the golden output. Its readers only read it: with
    several workers, the first to need it builds it in the run's shared
    temporary folder and the others wait for it and read the same build."""
    if WORKER == "main":
        return build_sample(tmp_path_factory.mktemp("sample-output"))
    shared = tmp_path_factory.getbasetemp().parent
    output = shared / "sample-output"
    with (shared / "sample-output.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "sample-output.done").exists():
            shutil.rmtree(output, ignore_errors=True)
            build_sample(output)
            (shared / "sample-output.done").touch()
    return {site: output / site for site in SITES}


@pytest.fixture(scope="session")
def public_site(sample_sites) -> Path:
    return sample_sites["public"]


@pytest.fixture(scope="session")
def internal_site(sample_sites) -> Path:
    return sample_sites["internal"]


@pytest.fixture
def fixed_now(monkeypatch) -> None:
    """The build clock held still (TPS_FIXED_NOW) for a test that compares two
    builds made seconds apart: with the real clock a feed item can turn from
    "1 day ago" to "2 days ago" between them (CI saw it happen)."""
    monkeypatch.setenv(clock.ENV, FIXED_NOW)


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A private copy of the sample content that a test may change."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    from tests.support.browser import launch

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
