"""Writing a generator's own pages (directory, reports, activity river)."""

from __future__ import annotations


def write_page(generator, writer, save_as: str, template: str, **extra) -> None:
    """Render `template` with the generator's context to `save_as`, a folder's
    index.html, so its URL is the folder (`units/` for `units/index.html`)."""
    writer.write_file(
        save_as,
        generator.get_template(template),
        generator.context,
        relative_urls=generator.settings["RELATIVE_URLS"],
        url=save_as.removesuffix("index.html"),
        page_name=save_as.removesuffix("/index.html"),
        **extra,
    )
