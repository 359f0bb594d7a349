"""Pelican works out a post's URL from the URL settings on every access, and
templates ask for it about ten times per post per build (lists, neighbours,
feeds, sitemap). Once every generator has read its content, URLs no longer
change: from then until the end of the run, each content object keeps its
answers."""

from .cache import register

__all__ = ["register"]
