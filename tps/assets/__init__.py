"""Fingerprinted theme assets: `{{ "css/main.css"|asset }}` gives
`theme/css/main.<hash>.css`, so the web server can cache assets for a year and a
new release never serves a page with another release's stylesheet. main.css is a
bundle: theme/static/css/main.css, then each component's CSS
(theme/templates/components/<name>/<name>.css)."""

from .assets import register

__all__ = ["register"]
