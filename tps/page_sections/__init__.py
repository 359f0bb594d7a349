"""Section navigation for pages: a page at content/internal/training.md is the
parent of the pages in content/internal/training/, which are ordered by their
``Order`` field and get previous/next links (the training module's lessons)."""

from .sections import register

__all__ = ["register"]
