"""Pelican works out a post's URL from the URL settings on every access, and
templates ask for it about ten times per post per build (lists, neighbours,
feeds, sitemap). Once every generator has read its content, URLs no longer
change: from then until the end of the run, each post and page keeps its
answers (as Pelican's own ``url``/``save_as`` overrides, see
tps/core/pelican_internals.py)."""

from .cache import register

__all__ = ["register"]
