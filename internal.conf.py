"""Internal site (staff intranet) settings: the public settings plus the overrides
that make it the internal site. Nothing is copied from pelican.conf.py."""

import runpy
from pathlib import Path

_public = runpy.run_path(str(Path(__file__).with_name("pelican.conf.py")))
globals().update({k: v for k, v in _public.items() if k.isupper()})

SITE_AUDIENCE = "internal"
SITENAME = "TPS Staff Intranet"
SITE_TAGLINE = "Internal use only: Toronto Police Service members"
SITEURL = "https://intranet.torontopolice.on.ca"
SITE_ORIGIN = SITEURL
FEED_DOMAIN = SITEURL
PAGE_EXCLUDES: list[str] = []
STATIC_EXCLUDES: list[str] = []
STATIC_PATHS = [*_public["STATIC_PATHS"], "internal/images"]
CACHE_PATH = ".cache/pelican-internal"
ROBOTS_ALLOW = False
NAV_LINKS = [
    ("Units", "units/"),
    ("Blogs", "blogs/"),
    ("Procedures", "procedures/"),
    ("Training", "training/"),
    ("Support desk", "support/"),
    ("Profile library", "profile-library/"),
    ("Social media", "social-media/"),
    ("Search", "search/"),
]
SITE_DESCRIPTION = (
    "Staff news, the social media procedures, training and support for members "
    "of the Toronto Police Service."
)
HOME_ACTIONS = [
    (
        "Procedures",
        "procedures/",
        "Communications, investigative use and cyber-vetting",
    ),
    ("Training", "training/", "The social media training module"),
    ("Support desk", "support/", "Locked accounts, impersonation, urgent takedowns"),
    ("The Badge", "blogs/the-badge/", "Staff news from across the Service"),
]
