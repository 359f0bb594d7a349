"""Where Jinja finds a capability's own templates: its ``templates/`` folder,
put on Pelican's template search path through the public setting
``THEME_TEMPLATES_OVERRIDES``.

Pelican 4.12 (``Generator.__init__``) searches ``THEME_TEMPLATES_OVERRIDES`` in
order, then the theme's ``templates/``, then the built-in "simple" theme. A
capability's folder is added after the settings file's own overrides and after
the theme's ``templates/`` (put there once, ahead of every capability): so the
settings file, then the theme, can still override a capability's template by
giving one of the same name. The capabilities' folders follow in sorted order,
so the search path is the same whatever order Pelican's ``initialized`` signal
calls the plugins in (their template names are distinct:
tests/core/test_layering.py)."""

from __future__ import annotations

import os
from pathlib import Path


def theme_templates(settings: dict) -> str:
    """The theme's templates folder, spelled as Pelican's Generator spells it."""
    return os.path.expanduser(os.path.join(settings["THEME"], "templates"))


def add_template_folder(settings: dict, folder: Path | str) -> None:
    """Put a capability's ``folder`` on the search path of every generator the
    build creates afterwards (call it at ``initialized``). Adding it again
    changes nothing."""
    folder = str(folder)
    overrides = list(settings.get("THEME_TEMPLATES_OVERRIDES") or [])
    theme = theme_templates(settings)
    if theme not in overrides:
        overrides.append(theme)
    at = overrides.index(theme) + 1
    own, capabilities = overrides[:at], overrides[at:]
    if folder not in capabilities:
        capabilities.append(folder)
    settings["THEME_TEMPLATES_OVERRIDES"] = own + sorted(capabilities)
