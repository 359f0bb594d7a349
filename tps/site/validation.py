"""The whole content tree checked at once: the content model's blogs, posts
and pages, the unit files and the images. The content model imports no other
capability, so the checks of the unit files and images are passed in here."""

from pathlib import Path

from tps.content_model.validate import tree_stamp
from tps.content_model.validate import validate_tree as validate_content
from tps.core.problems import Problem
from tps.image_metadata import tree_problems as image_problems
from tps.units import load_directory

__all__ = ["tree_stamp", "validate_tree"]


def unit_problems(content: Path, root: Path) -> list[Problem]:
    return load_directory(content, root)[1]


def validate_tree(content: Path, root: Path | None = None) -> list[Problem]:
    """Every problem in the content tree: blogs, posts and pages, the unit files
    and the images; paths shown relative to ``root`` (default: the folder
    holding ``content``)."""
    return validate_content(content, root, checks=(unit_problems, image_problems))
