"""The unit directory and official account registry (DESIGN §3, §6).

content/units/<slug>.yaml is the one source for the directory, the public
account registry (HTML, JSON, CSV), the internal profile library and, later,
the social feeds to fetch."""

from .directory import Directory, load_directory
from .generator import register

__all__ = ["Directory", "load_directory", "register"]
