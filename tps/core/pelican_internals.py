"""The one place that touches Pelican below its documented surface.

One use, pinned by tests/core/test_pelican_internals.py (which fails if
Pelican 4.12's behaviour changes):

``Content.override_url`` / ``override_save_as``: the attributes that Pelican
turns the documented ``url`` and ``save_as`` metadata into
(``Content.__init__``), and that ``Content.get_url_setting`` answers before it
formats ``ARTICLE_URL``/``PAGE_SAVE_AS`` again. Pelican formats a post's URL
from the settings on every access (a copy of its metadata and a
``str.format`` each time), and templates ask about ten times per post per
build. Once every generator has read its content (``all_generators_finalized``)
the URLs no longer change, so tps.url_cache sets each post's own answers as its
override, as if the file had said ``URL:`` and ``Save_as:``. Why not a public
way: ``url`` is a read-only property (an instance attribute cannot shadow
it), and the metadata is consumed when the object is made, before plugins have
set the category, status and slug that the URL is made of.
"""

from __future__ import annotations

from pelican.contents import Content


def fix_output_location(content: Content) -> None:
    """From now on ``content.url`` and ``content.save_as`` answer what they
    answer now, without formatting the URL settings again."""
    url, save_as = content.url, content.save_as
    content.override_url = url
    content.override_save_as = save_as
