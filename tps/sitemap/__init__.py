"""Writes sitemap.xml and robots.txt for the site being built.

The sitemap lists the HTML files actually written to the output folder, so it
cannot name anything the build left out (internal or draft content)."""

from .sitemap import register

__all__ = ["register"]
