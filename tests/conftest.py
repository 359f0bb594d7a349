from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tps.core.paths import CONTENT
from tps.site.golden import build_sample

# Every incremental build in the suite checks itself (tps/incremental): each
# page it reuses is rendered anyway and must give the same bytes. The Pelican
# processes the builds start inherit it.
os.environ["TPS_INCREMENTAL_VERIFY"] = "1"


@pytest.fixture(scope="session")
def sample_sites(tmp_path_factory) -> dict[str, Path]:
    """The committed sample content, built once for the whole session with the
    fixed clock (TPS_FIXED_NOW), so tests/site/test_golden_output.py diffs this
    very build against the golden output."""
    output = tmp_path_factory.mktemp("sample-output")
    return build_sample(output)


@pytest.fixture(scope="session")
def public_site(sample_sites) -> Path:
    return sample_sites["public"]


@pytest.fixture(scope="session")
def internal_site(sample_sites) -> Path:
    return sample_sites["internal"]


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
