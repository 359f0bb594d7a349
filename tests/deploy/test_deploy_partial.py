"""Releases are complete or invisible: a deploy killed during rsync leaves
nothing `releases` or `rollback` would use, and the next deploy cleans it up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tps.core.paths import ROOT
from tps.deploy.deploy import DeployError, Target, deploy, list_releases, rollback


def site(tmp_path, name: str, pages: int = 30):
    folder = tmp_path / name
    (folder / "pages").mkdir(parents=True)
    (folder / "index.html").write_text(f"<h1>{name}</h1>")
    for n in range(pages):
        (folder / "pages" / f"{n:03}.html").write_text(f"{name} page {n}\n" * 200)
    return folder


def killed_deploy(tmp_path, output, root) -> int:
    """Deploy in a child process whose rsync copies part of the site and then
    SIGKILLs the deploying process (as a timeout or an operator would)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    real = subprocess.run(
        ["which", "rsync"], capture_output=True, text=True
    ).stdout.strip()
    (bin_dir / "rsync").write_text(
        textwrap.dedent(f"""\
        #!/bin/sh
        for last; do :; done
        mkdir -p "$last/pages"
        cp "{output}/pages/000.html" "{output}/pages/001.html" "$last/pages/"
        kill -9 $PPID
        sleep 5
        exec {real} "$@"
        """)
    )
    (bin_dir / "rsync").chmod(0o755)
    script = (
        "import sys; "
        "from pathlib import Path; from tps.deploy.deploy import Target, deploy; "
        "deploy(Path(sys.argv[2]), Target(None, sys.argv[3]), 5, {})"
    )
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    return subprocess.run(
        [sys.executable, "-c", script, str(ROOT), str(output), str(root)], env=env
    ).returncode


def test_a_killed_deploy_is_never_listed_nor_rolled_back_to(tmp_path):
    root = tmp_path / "srv/public"
    target = Target(None, str(root))
    first = deploy(site(tmp_path, "first"), target, 5, {})["release"]
    second = site(tmp_path, "second")
    assert killed_deploy(tmp_path, second, root) == -9
    leftovers = [p.name for p in (root / "releases").iterdir()]
    assert len(leftovers) > 2, leftovers  # the killed deploy left its folder
    assert [r["release"] for r in list_releases(target)] == [first]
    with pytest.raises(DeployError, match="no release before"):
        rollback(target)
    assert (root / "current/index.html").read_text() == "<h1>first</h1>"

    third = deploy(site(tmp_path, "third"), target, 5, {})["release"]
    assert sorted(p.name for p in (root / "releases").iterdir()) == sorted(
        [first, f"{first}.json", third, f"{third}.json"]
    )
    assert rollback(target) == first
    assert (root / "current/index.html").read_text() == "<h1>first</h1>"


def test_a_release_folder_without_its_manifest_is_ignored_and_cleaned(tmp_path):
    """What a killed deploy used to leave: releases/<stamp>/ half copied."""
    root = tmp_path / "srv/public"
    target = Target(None, str(root))
    first = deploy(site(tmp_path, "first"), target, 5, {})["release"]
    half = root / "releases/29990101T000000000000Z"
    (half / "pages").mkdir(parents=True)
    (half / "pages/000.html").write_text("half")
    orphan = root / "releases/29980101T000000000000Z.json"
    orphan.write_text(json.dumps({"release": orphan.stem}))
    assert [r["release"] for r in list_releases(target)] == [first]
    with pytest.raises(DeployError):
        rollback(target, "29990101T000000000000Z")
    deploy(site(tmp_path, "second"), target, 5, {})
    assert not half.exists() and not orphan.exists()


def test_releases_and_rollback_on_a_mistyped_target_create_nothing(tmp_path):
    target = Target(None, str(tmp_path / "srv-typo/public"))
    with pytest.raises(DeployError, match="nothing is published"):
        list_releases(target)
    with pytest.raises(DeployError, match="nothing is published"):
        rollback(target)
    assert not (tmp_path / "srv-typo").exists()
