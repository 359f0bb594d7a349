"""Markdown for both sites in a fraction of python-markdown's time (issue #16).

A Pelican plugin (``PLUGINS = [..., "tps.markdown_reader", ...]``): on
``readers_init`` it puts :class:`FastMarkdownReader` in the place of Pelican's
``MarkdownReader`` for ``.md`` files. The reader converts a post with cmark-gfm
(GitHub's C implementation of CommonMark, tables on) and gives it the
conventions of the python-markdown setup the site used before (``MARKDOWN`` in
pelican.conf.py): python-markdown's ``smarty`` rules for quotes, dashes and
ellipses, ``toc`` ids on headings, lazy ordered lists, the ``meta`` header.

Two dialects never agree on everything, so a post is converted by cmark-gfm
only when every construct in it is one whose output is known to be the same
(:mod:`.subset`); anything else (footnotes, attribute lists, abbreviations,
definition lists, raw HTML, code, images, nested or loose lists...) goes to
python-markdown, exactly as before. tests/markdown_reader proves both.
"""

from .reader import FastMarkdownReader, register

__all__ = ["FastMarkdownReader", "register"]
