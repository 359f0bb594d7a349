from __future__ import annotations

from pelican import signals
from pelican.contents import Content

_uncached = Content.get_url_setting
_state = {"on": False}


def _get_url_setting(self: Content, key: str) -> str:
    if not _state["on"]:
        return _uncached(self, key)
    cache = self.__dict__.setdefault("_url_setting_cache", {})
    if key not in cache:
        cache[key] = _uncached(self, key)
    return cache[key]


def _switch(on: bool):
    def receiver(*_args, **_kwargs) -> None:
        _state["on"] = on

    return receiver


# Pelican may run several times in one process (the preview rebuilds on every
# save): reading starts uncached each time.
_read_uncached, _cache_from_now = _switch(False), _switch(True)


def register() -> None:
    Content.get_url_setting = _get_url_setting
    signals.initialized.connect(_read_uncached, weak=False)
    signals.all_generators_finalized.connect(_cache_from_now, weak=False)
