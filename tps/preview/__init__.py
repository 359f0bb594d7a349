"""The editor's preview (``invoke serve``): one long-lived process holds the
site it built (content, context, compiled templates, every page's trace) and
applies each saved change to it, re-rendering only the pages it affects."""

from .loop import serve
from .site import PREVIEW, PreviewSite

__all__ = ["PREVIEW", "PreviewSite", "serve"]
