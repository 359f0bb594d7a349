"""The content model: blogs, posts and pages (models, front matter) and their
validation. It imports no other capability: the whole-tree check, with the unit
files and images, is tps.site.validation.validate_tree; tps.site.gate stops a
Pelican build on invalid content."""

from .validate import tree_stamp

__all__ = ["tree_stamp"]
