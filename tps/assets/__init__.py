"""Fingerprinted theme assets: `{{ "css/main.css"|asset }}` gives
`theme/css/main.<hash>.css`, so the web server can cache assets for a year and a
new release never serves a page with another release's stylesheet."""

from .assets import register

__all__ = ["register"]
