"""Small images with many pixels: the refresh's memory stays bounded."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tps.core.paths import ROOT

PEAK_LIMIT_MB = 500  # measured: 1425 MB before the decode budget, ~300 MB after


def test_twenty_tiny_6300_square_images_do_not_take_the_refresh_to_gigabytes():
    env = dict(os.environ)
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.image_memory"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["png_bytes"] < 10_000
    assert result["images"] == 20, result["image_errors"]
    assert result["peak_rss_mb"] < PEAK_LIMIT_MB, result
