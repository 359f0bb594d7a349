"""Site-wide public alerts (DESIGN §8): a major incident, a road closure, a
missing child, at the top of every page of both sites.

The build renders content/alerts.yaml into every page, gives each alert its
own page (/alerts/<id>/), lists them at /alerts/ and in /alerts/feed.atom.xml.
`invoke alert` (tps/alerts/command.py) publishes on a served target without a
rebuild: nginx includes the target's alerts file with SSI in place of the
build's block (see theme/templates/components/notification-banner/notification-banner.html)."""

from .plugin import register

__all__ = ["register"]
