"""Public site settings (the Pelican settings file).

internal.conf.py loads this file and overrides only what differs for the staff
intranet, so the two sites can never drift apart by copy-paste.
"""

SITE_AUDIENCE = "public"  # "public" or "internal": what the build may contain
SITENAME = "Toronto Police Service"
SITE_TAGLINE = "To serve and protect"
SITEURL = "https://www.tps.ca"
# Pages link to each other with document-relative URLs so a build works from any
# host (preview, test nginx, production); feeds, sitemap, canonical and Open
# Graph URLs stay absolute through SITE_ORIGIN.
RELATIVE_URLS = True
SITE_ORIGIN = SITEURL
FEED_DOMAIN = SITEURL

AUTHOR = "Toronto Police Service"
TIMEZONE = "America/Toronto"
DEFAULT_LANG = "en"
LOCALE = ("en_CA.UTF-8", "C.UTF-8", "")
DEFAULT_DATE_FORMAT = "%B %-d, %Y"

EMERGENCY_NUMBER = "911"
NON_EMERGENCY_NUMBER = "416-808-2222"
TTY_NUMBER = "416-467-0493"
CRIME_STOPPERS_NUMBER = "416-222-TIPS (8477)"

PATH = "content"
THEME = "theme"
ARTICLE_PATHS = ["blogs"]
PAGE_PATHS = ["pages", "internal"]
STATIC_PATHS = ["images"]
ARTICLE_EXCLUDES: list[str] = []
PAGE_EXCLUDES = ["internal"]
STATIC_EXCLUDES = ["internal"]
IGNORE_FILES = [".*", "blog.yaml", "*.yaml"]
# Only .md is read: content_model validates Markdown front matter, so every
# other reader is off (and `check` reports any other file in blogs/, pages/,
# internal/ by name instead of letting it be skipped or published unchecked).
READERS = {ext: None for ext in ("rst", "html", "htm", "markdown", "mkd", "mdown")}

# The plugins are the capabilities of the installed package tps (pip install -e .).
PLUGINS = [
    "tps.url_cache",
    "tps.site.gate",  # stops the build on invalid content
    "tps.markdown_reader",  # cmark-gfm where it writes what python-markdown did
    "tps.site.readcache",  # Markdown read once, cleaned by tps.editor_html
    "tps.audience",
    "tps.blogs",
    "tps.units",
    "tps.governance",
    "tps.social_feeds",
    "tps.page_sections",
    "tps.assets",
    "tps.alerts",
    "tps.sitemap",
    "tps.image_metadata",
    "tps.incremental",
]

# Blogs: each folder of content/blogs/ is one blog (tps/blogs), carried by
# Pelican's category machinery so indexes, pagination and feeds come for free.
USE_FOLDER_AS_CATEGORY = True
DEFAULT_CATEGORY = "uncategorized"
SLUGIFY_SOURCE = "basename"  # the file name, so editing a title keeps the URL
ARTICLE_URL = "blogs/{category}/{slug}/"
ARTICLE_SAVE_AS = "blogs/{category}/{slug}/index.html"
DRAFT_URL = "drafts/{category}/{slug}/"
DRAFT_SAVE_AS = ""  # drafts are never written, except in the local preview
DRAFT_PAGE_SAVE_AS = ""
ARTICLE_TRANSLATION_ID = None
PAGE_TRANSLATION_ID = None
ARTICLE_LANG_SAVE_AS = ""
PAGE_LANG_SAVE_AS = ""

# Page URLs mirror the path under content/pages or content/internal.
PATH_METADATA = r"(?:pages|internal)/(?P<page_path>[^.]+)\.md$"
PAGE_URL = "{page_path}/"
PAGE_SAVE_AS = "{page_path}/index.html"

CATEGORY_URL = "blogs/{slug}/"
CATEGORY_SAVE_AS = "blogs/{slug}/index.html"
CATEGORIES_URL = "blogs/"
CATEGORIES_SAVE_AS = "blogs/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
AUTHOR_URL = "authors/{slug}/"
AUTHOR_SAVE_AS = "authors/{slug}/index.html"
AUTHORS_URL = "authors/"
AUTHORS_SAVE_AS = "authors/index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "categories", "tags", "authors", "archives"]

DEFAULT_PAGINATION = 5  # a blog's index: five posts with their summaries a page
# Tag and author listings are for finding a post, not reading: 20 a page. (At
# 2,000 posts, 5 a page made a thousand more listing pages per site to render.)
PAGINATED_TEMPLATES = {"category": None, "tag": 20, "author": 20}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "blogs/{slug}/feed.atom.xml"
FEED_ALL_RSS = None
CATEGORY_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
FEED_MAX_ITEMS = 20
RSS_FEED_SUMMARY_ONLY = False

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
        "markdown.extensions.toc": {"permalink": False},
        "markdown.extensions.smarty": {},
    },
    "output_format": "html5",
}
TYPOGRIFY = False
SUMMARY_MAX_LENGTH = 40

# Compiled templates are cached under CACHE_PATH (tps/incremental), in a
# folder named after the theme: `{{ "css/main.css"|asset }}` is folded into the
# bytecode, so a changed stylesheet means a new folder.
# Every machine-readable date in a page goes through this one formatter
# (valid HTML `<time datetime>`: no microseconds).
from tps.html_dates import html_datetime  # noqa: E402

JINJA_FILTERS = {"html_datetime": html_datetime}
JINJA_ENVIRONMENT = {
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "extensions": [],
}

# CACHE_CONTENT / LOAD_CONTENT_CACHE turn on the read cache of
# tps/site/readcache.py, keyed by each file's SHA-256 and the reader's code
# and settings. Pelican's own caches are off (a layer that is neither "reader"
# nor "generator"): keyed by file time only, Pelican's reader cache kept what
# an older version of our reader returned after an upgrade.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
GZIP_CACHE = False  # gzip at level 9 cost more than reading the posts again
CACHE_PATH = ".cache/pelican-public"
CONTENT_CACHING_LAYER = "tps.site.readcache"
DELETE_OUTPUT_DIRECTORY = False  # the build writes into a fresh staging folder
# tps/incremental: render every page a rebuild reuses anyway and fail, naming
# the page, if its bytes differ (TPS_INCREMENTAL_VERIFY=1 also turns it on;
# the test suite does).
INCREMENTAL_VERIFY = False

# Shown in the site header. (label, URL relative to the site root)
NAV_LINKS = [
    ("Find your division", "units/"),
    ("Blogs", "blogs/"),
    ("Social media", "social-media/"),
    ("About", "about/"),
    ("Contact us", "contact/"),
    ("Search", "search/"),
]
FOOTER_LINKS = [
    ("About this site", "about/"),
    ("Accessibility", "accessibility/"),
    ("Contact us", "contact/"),
    ("All posts", "archives/"),
    ("Tags", "tags/"),
    ("Authors", "authors/"),
]
ROBOTS_ALLOW = True

SITE_DESCRIPTION = (
    "News, safety advice and appeals from the Toronto Police Service, written by "
    "the members who serve your neighbourhood."
)
SITE_COPYRIGHT_YEAR = 2026
HOME_LATEST_POSTS = 6
# (label, URL relative to the site root, short explanation)
HOME_ACTIONS = [
    (
        "Social media",
        "social-media/",
        "Our official accounts and how to check one is real",
    ),
    ("#TPSSMLaunch", "social-media/launch/", "The July 27 launch campaign"),
    ("Blogs", "blogs/", "Traffic safety, crime appeals and community news"),
    ("Contact us", "contact/", "Non-emergency numbers, TTY and how to reach us"),
]
