"""The Nu HTML Checker (vnu.jar from the npm package vnu-jar), once over a site."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from pathlib import Path

from tps.core.paths import ROOT

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# One run over a site is short-lived: the JVM's quick compiler alone (C1) does
# the same checking with half the CPU time of the tiered C2 compiler. C1 code
# needs a deeper stack for vnu's schema evaluation than the 1 MB default.
JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-Xss8m")


class CheckerMissing(RuntimeError):
    pass


def html_errors(site: Path, jar: Path = VNU_JAR) -> list[str]:
    """Every error vnu finds in the site's HTML files, as 'file line N: message'."""
    java = shutil.which("java")
    if not java:
        raise CheckerMissing(
            "java not found: ./install.sh --test installs default-jre-headless"
        )
    if not jar.is_file():
        raise CheckerMissing(
            f"{jar} not found: run `npm ci --ignore-scripts --no-audit --no-fund` (./install.sh --test does)"
        )
    result = subprocess.run(
        [
            java,
            *JVM_OPTIONS,
            "-jar",
            str(jar),
            "--format",
            "json",
            "--stdout",
            "--skip-non-html",
            str(site),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        messages = json.loads(result.stdout)["messages"]
    except (json.JSONDecodeError, KeyError):
        raise CheckerMissing(
            f"vnu.jar gave no report (exit {result.returncode}): {result.stderr.strip()[:500]}"
        ) from None
    errors = []
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        where = message.get("url", "").removeprefix("file:")
        with contextlib.suppress(ValueError):  # keep the full path if outside
            where = str(Path(where).relative_to(Path(site).resolve()))
        errors.append(
            f"{where} line {message.get('lastLine', '?')}: {message.get('message', '').strip()}"
        )
    return errors
