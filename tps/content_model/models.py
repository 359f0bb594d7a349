"""The content model: what blog.yaml and post/page front matter may hold."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pelican.utils import get_date
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?")


def _readable_date(value: str) -> str:
    if _ISO_DATE.fullmatch(value.strip()):
        try:  # the usual form, without dateutil's general parser (most of validation)
            datetime.fromisoformat(value.strip())
            return value
        except ValueError:
            pass  # 2026-02-30: Pelican's parser words the error
    try:
        get_date(value)
    except (ValueError, OverflowError) as error:
        raise ValueError(
            f"'{value}' is not a date (write it as 2026-07-27 or 2026-07-27 09:30)"
            f"{': ' + str(error) if str(error) else ''}"
        ) from None
    return value


def _slug(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value):
        raise ValueError(f"'{value}' is not a slug (lower-case letters, digits, -)")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
DateText = Annotated[str, AfterValidator(_readable_date)]
Slug = Annotated[str, AfterValidator(_slug)]
Audience = Literal["public", "internal"]


class BlogConfig(BaseModel):
    """content/blogs/<slug>/blog.yaml"""

    model_config = ConfigDict(extra="forbid")
    title: Text
    description: Text
    audience: Audience
    unit: Slug | None = None


class PostMeta(BaseModel):
    """Front matter of a post in content/blogs/<slug>/."""

    model_config = ConfigDict(extra="forbid")
    title: Text
    date: DateText
    author: Text
    modified: DateText | None = None
    unit: Slug | None = None
    tags: str | None = None
    summary: str | None = None
    status: Literal["draft", "published"] = "published"
    audience: Audience = "public"
    slug: Slug | None = None


class PageMeta(BaseModel):
    """Front matter of a page in content/pages/ or content/internal/."""

    model_config = ConfigDict(extra="forbid")
    title: Text
    date: DateText | None = None
    modified: DateText | None = None
    summary: str | None = None
    status: Literal["draft", "published", "hidden"] = "published"
    audience: Audience = "public"
    template: Slug | None = None
    save_as: str | None = None
    url: str | None = None
    order: Annotated[str, StringConstraints(pattern=r"^\d+$")] | None = None
