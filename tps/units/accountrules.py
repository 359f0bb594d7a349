"""What makes an account entry believable: its URL is on the platform's own
host, its handle follows the platform's handle rules (ASCII only), and two
entries that look alike are the same account.

Look-alikes are how a fake account passes a glance: a Cyrillic `і` in
`TPS11Dіv`, a zero-width space or a right-to-left override in a handle,
`https://x.com.evil.example/` or `https://x.com@evil.example/` as a URL.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

# Hosts each platform serves profiles from; mastodon is federated (None):
# any https host name, but a plain one.
PLATFORM_HOSTS: dict[str, frozenset[str] | None] = {
    "x": frozenset({"x.com", "www.x.com", "twitter.com", "www.twitter.com"}),
    "facebook": frozenset({"facebook.com", "www.facebook.com", "m.facebook.com"}),
    "instagram": frozenset({"instagram.com", "www.instagram.com"}),
    "youtube": frozenset({"youtube.com", "www.youtube.com", "m.youtube.com"}),
    "mastodon": None,
    "bluesky": frozenset({"bsky.app"}),
    "flickr": frozenset({"flickr.com", "www.flickr.com"}),
    "tiktok": frozenset({"tiktok.com", "www.tiktok.com"}),
    "linkedin": frozenset({"linkedin.com", "www.linkedin.com"}),
    "threads": frozenset({"threads.net", "www.threads.net", "threads.com"}),
}

_DNS_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"(?:{_DNS_LABEL}\.)+[a-z]{{2,63}}")

# (characters, shortest, longest, in words) per platform, from each
# platform's own handle rules; all ASCII. X itself allows 15 characters; the
# sample's fictional handles run to 23, so the length cap is looser here.
HANDLE_RULES: dict[str, tuple[str, int, int, str]] = {
    "x": ("A-Za-z0-9_", 1, 30, "letters A-Z, digits or _"),
    "facebook": ("A-Za-z0-9.\\-", 1, 50, "letters A-Z, digits, . or -"),
    "instagram": ("A-Za-z0-9._", 1, 30, "1-30 letters A-Z, digits, . or _"),
    "youtube": ("A-Za-z0-9._\\-", 3, 30, "3-30 letters A-Z, digits, ., _ or -"),
    "mastodon": ("A-Za-z0-9_", 1, 30, "1-30 letters A-Z, digits or _"),
    "bluesky": ("A-Za-z0-9.\\-", 4, 253, "a domain name (letters A-Z, digits, -, .)"),
    "flickr": ("A-Za-z0-9@_.\\-", 1, 64, "letters A-Z, digits, @, _, . or -"),
    "tiktok": ("A-Za-z0-9._", 2, 24, "2-24 letters A-Z, digits, . or _"),
    "linkedin": ("A-Za-z0-9\\-", 3, 100, "3-100 letters A-Z, digits or -"),
    "threads": ("A-Za-z0-9._", 1, 30, "1-30 letters A-Z, digits, . or _"),
}
_ANY = ("A-Za-z0-9._\\-", 1, 100, "letters A-Z, digits, ., _ or -")


def describe(char: str) -> str:
    """'і' (U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I)"""
    name = unicodedata.name(char, "unnamed character")
    if char.isprintable() and not char.isspace():
        return f"'{char}' (U+{ord(char):04X} {name})"
    return f"U+{ord(char):04X} {name}"


def check_handle(platform: str, handle: str) -> str:
    """`handle`, or ValueError naming the first character the platform forbids."""
    chars, shortest, longest, allowed = HANDLE_RULES.get(platform, _ANY)
    odd = next((c for c in handle if not re.fullmatch(f"[{chars}]", c)), None)
    if odd is not None:
        why = f"has {describe(odd)}"
    elif not shortest <= len(handle) <= longest:
        why = f"is {len(handle)} characters long"
    elif platform == "bluesky" and not _HOST.fullmatch(handle.lower()):
        why = "is not a domain name"
    else:
        return handle
    raise ValueError(f"handle '{handle}' {why}; a {platform} handle is {allowed}")


def check_url(platform: str, url: str) -> str:
    """`url` if it is an https profile URL on the platform's own host."""
    odd = next((c for c in url if not c.isascii() or not c.isprintable()), None)
    if odd is not None:
        raise ValueError(f"'{url}' has {describe(odd)}; write the URL in ASCII")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise ValueError(f"'{url}' must be an https:// URL")
    if "@" in parts.netloc or parts.port is not None:
        raise ValueError(
            f"'{url}': no user name, password or port before the host "
            f"(the host here is {parts.hostname!r})"
        )
    host = (parts.hostname or "").lower()
    hosts = PLATFORM_HOSTS.get(platform)
    if hosts is None:
        if not _HOST.fullmatch(host):
            raise ValueError(f"'{url}': {host!r} is not a host name")
    elif host not in hosts:
        raise ValueError(
            f"'{url}' is not on {platform}'s own host ({', '.join(sorted(hosts))})"
        )
    return url


# Letters that look like others (UTS #39 confusables, the ones that matter in
# handles and URLs): Cyrillic and Greek look-alikes of Latin, and digits and
# letters that share a shape once case is folded.
_CONFUSABLES = str.maketrans(
    {
        "а": "a",
        "в": "b",
        "е": "e",
        "һ": "h",
        "і": "l",
        "ј": "j",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "ѕ": "s",
        "т": "t",
        "у": "y",
        "х": "x",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "ӏ": "l",
        "ɡ": "g",
        "α": "a",
        "β": "b",
        "ε": "e",
        "ι": "l",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ω": "w",
        "0": "o",
        "1": "l",
        "i": "l",
        "|": "l",
    }
)


def fold(text: str) -> str:
    """The form two look-alike strings share: NFKC, case folded, format
    characters (zero-width, bidi controls) dropped, confusables mapped,
    `rn` read as `m` and `vv` as `w`."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = text.translate(_CONFUSABLES)
    return text.replace("rn", "m").replace("vv", "w")


def url_key(url: str) -> str:
    """A profile URL as compared for duplicates: host without www./m., x.com
    for twitter.com, the path without its trailing slash, folded."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    host = {"twitter.com": "x.com"}.get(host, host)
    return fold(f"{host}{parts.path.rstrip('/')}")
