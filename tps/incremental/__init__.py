"""Incremental rendering: a page whose template would read exactly what it read
in the previous build is not rendered again; the previous build's file is
hard-linked instead. The trace of each render (trace.py) is what proves it."""

from .plugin import register

__all__ = ["register"]
