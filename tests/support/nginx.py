"""The tests serve built sites with the same nginx helper the audit uses."""

from tps.site.nginx import DEPLOY, Nginx, free_port, shipped_server

__all__ = ["DEPLOY", "Nginx", "free_port", "shipped_server"]
