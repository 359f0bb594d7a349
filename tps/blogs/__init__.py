"""Multi-blog support: each folder content/blogs/<slug>/ with a blog.yaml is a blog.

A blog rides on Pelican's category machinery (index at /blogs/<slug>/, pagination
at /blogs/<slug>/page/N/, Atom feed at /blogs/<slug>/feed.atom.xml, the overview
at /blogs/), with the title, description and contributors from this plugin.
"""

from .blogs import Blog, register

__all__ = ["Blog", "register"]
