"""Validates the content tree (blogs, posts, pages) before Pelican reads it."""

from .plugin import register
from .problems import ContentError, Problem
from .validate import tree_stamp, validate_tree

__all__ = ["ContentError", "Problem", "register", "tree_stamp", "validate_tree"]
