"""Social feeds (DESIGN §5): every official account's latest posts on the pages.

The refresh (`invoke feeds`) fetches and parses feeds into feeds/cache/; the
build only reads that cache. Pelican is imported only when the plugin is
registered, so the refresh and the parser stay light to import."""


def register() -> None:
    from .plugin import register as register_plugin

    register_plugin()


__all__ = ["register"]
