"""Keeps internal content out of the public site (DESIGN §4).

Defence in depth: internal folders are never read by the public build, and any
post or page marked ``Audience: internal`` is dropped before Pelican builds its
tag, author, category, archive and feed lists, so it leaves no trace.
"""

from .audience import register

__all__ = ["register"]
