"""The build gate: the whole content tree is checked at once (the content
model's blogs, posts and pages, the unit files, the images), and a Pelican
build of an invalid tree stops before it writes anything."""

import sys
from pathlib import Path

from pelican import signals

from tps.content_model.validate import tree_stamp
from tps.content_model.validate import validate_tree as validate_content
from tps.core.problems import ContentError, Problem
from tps.image_metadata import tree_problems as image_problems
from tps.units import load_directory


def unit_problems(content: Path, root: Path) -> list[Problem]:
    return load_directory(content, root)[1]


def validate_tree(content: Path, root: Path | None = None) -> list[Problem]:
    """Every problem in the content tree: blogs, posts and pages, the unit files
    and the images; paths shown relative to ``root`` (default: the folder
    holding ``content``)."""
    return validate_content(content, root, checks=(unit_problems, image_problems))


def stop_on_invalid_content(pelican) -> None:
    """Refuse to build from content that breaks the content model."""
    content = Path(pelican.settings["PATH"])
    # tps.site.build validates once for both sites and passes the stamp of the tree
    # it validated; an unchanged tree need not be parsed again. With BUILD_GATE
    # the stamp comes on stdin once validation is done (Pelican started
    # meanwhile); no stamp means: stop.
    if pelican.settings.get("BUILD_GATE"):
        validated = sys.stdin.readline().strip()
        if not validated:
            raise SystemExit("build cancelled: the content was not validated")
    else:
        validated = pelican.settings.get("CONTENT_VALIDATED_STAMP")
    if validated and validated == tree_stamp(content):
        return
    problems = [p for p in validate_tree(content) if p.severity == "error"]
    if problems:
        raise ContentError(problems)


def register() -> None:
    signals.initialized.connect(stop_on_invalid_content)
