"""Checks the whole content tree and returns every problem at once."""

from __future__ import annotations

import difflib
import hashlib
import html
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote

from pydantic import BaseModel, ValidationError

from tps.core import safe_yaml
from tps.core.audience import audience_of
from tps.core.problems import Problem, relative

from .frontmatter import FrontMatter, parse_file
from .models import BlogConfig, PageMeta, PostMeta

# Every Pelican link to a file (INTRASITE_LINK_REGEX: {what} or |what|, and
# the mixed forms it also accepts): {static} and {attach} copy their target
# into the site even from an excluded folder.
_LINK = re.compile(
    r"[{|](?P<what>filename|static|attach)[|}](?P<target>[^)\s\"'#?<>]+)"
)
# A line (or list item) starting with a single # becomes a second h1: the title
# is the page's only h1. Hashtags at the start of a line are the usual cause.
_H1 = re.compile(r"^\s{0,3}(?:[-*+]\s+|\d+[.)]\s+)?#(?!#)(?P<rest>\S*)")
# Another capability's check of its own files under content/ (see validate_tree).
TreeCheck = Callable[[Path, Path], list[Problem]]


def validate_tree(
    content: Path, root: Path | None = None, checks: Iterable[TreeCheck] = ()
) -> list[Problem]:
    """Validate blogs, posts and pages under ``content``; paths shown relative to
    ``root`` (default: the folder holding ``content``). ``checks`` are the other
    capabilities' checks of their own files (the unit files, the images), each
    called as ``check(content, root)``: the content model imports none of them
    (tps.site.validation passes them in)."""
    return _TreeCheck(Path(content), Path(root or Path(content).parent), checks).run()


def tree_stamp(content: Path) -> str:
    """A fingerprint of every file under ``content`` (path, size, mtime): equal
    stamps mean the tree a validation passed on is the tree being built."""
    digest = hashlib.sha256()
    content = Path(content)
    for path in sorted(content.rglob("*")):
        if path.is_file():
            stat = path.stat()
            name = path.relative_to(content)
            digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def load_blog(path: Path, root: Path) -> tuple[BlogConfig | None, list[Problem]]:
    """Read one blog.yaml; returns the config or the problems that stop it."""
    where = relative(path, root)
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        data = safe_yaml.load(text)[1]
    except safe_yaml.YamlRefused as refused:
        return None, [Problem(where, refused.line, "", refused.message)]
    if not isinstance(data, dict):
        return None, [
            Problem(where, 1, "", "must be a mapping of title, description, audience")
        ]
    try:
        return BlogConfig.model_validate(data), []
    except ValidationError as error:

        def line(key: str) -> int:
            found = re.search(rf"^{re.escape(key)}\s*:", text, re.MULTILINE)
            return text.count("\n", 0, found.start()) + 1 if found else 1

        return None, _pydantic_problems(error, where, line, data, BlogConfig)


def _pydantic_problems(
    error, where, line_of, values, model: type[BaseModel], keys=None
):
    problems = []
    for item in error.errors():
        key = str(item["loc"][0]) if item["loc"] else ""
        shown = (keys or {}).get(key, key.capitalize() if keys is not None else key)
        kind = item["type"]
        if kind == "missing":
            message = "is required but missing"
        elif kind == "extra_forbidden":
            close = difflib.get_close_matches(key, model.model_fields, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            message = f"unknown field{hint}; allowed: {', '.join(model.model_fields)}"
        else:
            message = item["msg"].removeprefix("Value error, ")
            if kind == "literal_error":
                message = f"'{values.get(key)}' is not allowed: {message}"
            elif kind == "string_too_short":
                message = "must not be empty"
            elif kind.endswith("_type"):
                message = f"{message} (found {safe_yaml.short_repr(values.get(key))})"
        problems.append(Problem(where, line_of(key), shown, message))
    return problems


class _TreeCheck:
    def __init__(self, content: Path, root: Path, checks: Iterable[TreeCheck] = ()):
        self.content = content
        self.root = root
        self.checks = tuple(checks)
        self.problems: list[Problem] = []
        self.audience: dict[Path, str] = {}  # resolved file -> public/internal
        self.internal_blogs: set[str] = set()  # folders of internal blogs
        self.bodies: list[tuple[Path, FrontMatter]] = []
        self._folders: dict[Path, Path] = {}
        self._internal_roots: list[Path] | None = None
        self._outputs: dict[str, Path] = {}  # output file -> the source writing it
        units = content / "units"
        self.units = {p.stem for p in units.glob("*.yaml")} if units.is_dir() else set()

    def run(self) -> list[Problem]:
        for check in self.checks:  # the unit files, the images (tps.site.validation)
            self.problems += check(self.content, self.root)
        self._symlinks()
        self._encoding()
        self._unread()
        self._blogs()
        for folder, internal in (("pages", False), ("internal", True)):
            for path in sorted((self.content / folder).rglob("*.md")):
                if not _hidden(path, self.content):
                    self._page(path, internal)
        self._links()
        return sorted(self.problems)

    def where(self, path: Path) -> str:
        return relative(path, self.root)

    def _symlinks(self) -> None:
        """Pelican follows links: one into content/internal/ (or to any file on
        the machine) would be published under the link's name."""
        for folder, dirs, files in os.walk(self.content):
            for name in sorted(dirs + files):
                path = Path(folder) / name
                if path.is_symlink():
                    self.problems.append(
                        Problem(
                            f"{self.where(path.parent)}/{name}",
                            0,
                            "",
                            f"is a symbolic link (to {os.readlink(path)}): the build would "
                            "publish what it points to; put the file itself here",
                        )
                    )

    def _encoding(self) -> None:
        for path in sorted(self.content.rglob("*")):
            if path.suffix not in (".md", ".yaml", ".txt") or not path.is_file():
                continue
            data = path.read_bytes()
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as error:
                line = data.count(b"\n", 0, error.start) + 1
                self.problems.append(
                    Problem(
                        self.where(path),
                        line,
                        "",
                        f"is not valid UTF-8 (byte {error.start}: {data[error.start : error.start + 1]!r}): "
                        "save the file as UTF-8",
                    )
                )

    def _unread(self) -> None:
        """Pelican reads only ``.md`` here (``READERS`` disables reST, HTML and
        the other Markdown extensions), and skips names starting with a dot:
        such a file would be published unchecked, or silently not at all."""
        for folder in ("blogs", "pages", "internal"):
            top = self.content / folder
            if not top.is_dir():
                continue
            for path in sorted(top.rglob("*")):
                relative_parts = path.relative_to(self.content).parts
                if relative_parts[:2] == ("internal", "images") or not path.is_file():
                    continue
                if path.name == "blog.yaml" and len(relative_parts) == 3:
                    continue
                if _hidden(path, self.content):
                    if path.name.endswith(".md"):
                        self.problems.append(
                            Problem(
                                self.where(path),
                                0,
                                "",
                                "a file name starting with '.' is ignored by the build: rename it",
                            )
                        )
                    continue
                if path.suffix != ".md":
                    self.problems.append(
                        Problem(
                            self.where(path),
                            0,
                            "",
                            f"'{path.suffix or path.name}' files are not read here: write "
                            "posts and pages in Markdown (.md); images go in content/images/",
                        )
                    )

    def _blogs(self) -> None:
        blogs_dir = self.content / "blogs"
        if not blogs_dir.is_dir():
            return
        for path in sorted(blogs_dir.glob("*.md")):
            self.problems.append(
                Problem(
                    self.where(path),
                    0,
                    "",
                    "a post must be inside a blog folder: content/blogs/<blog>/",
                )
            )
        for folder in sorted(p for p in blogs_dir.iterdir() if p.is_dir()):
            posts = sorted(
                p for p in folder.rglob("*.md") if not _hidden(p, self.content)
            )
            config_path = folder / "blog.yaml"
            if not config_path.is_file():
                for post in posts:
                    self.problems.append(
                        Problem(
                            self.where(post),
                            0,
                            "",
                            f"unknown blog '{folder.name}': {self.where(config_path)} is missing",
                        )
                    )
                continue
            blog, problems = load_blog(config_path, self.root)
            self.problems += problems
            if blog and blog.audience == "internal":
                self.internal_blogs.add(folder.name)
            if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", folder.name):
                self.problems.append(
                    Problem(
                        self.where(folder),
                        0,
                        "",
                        "a blog folder name is its URL: use lower-case letters, digits and -",
                    )
                )
            if blog and blog.unit:
                self._unit(
                    config_path, _line_in(config_path, "unit"), "unit", blog.unit
                )
            for post in posts:
                if post.parent != folder:
                    self.problems.append(
                        Problem(
                            self.where(post),
                            0,
                            "",
                            f"posts go directly in {self.where(folder)}/, not in a sub-folder",
                        )
                    )
                    continue
                meta = self._post(post, blog)
                slug = (meta and meta.slug) or _slugify(post.stem)
                self._output(
                    post, 0, "Slug", f"blogs/{folder.name}/{slug}/index.html", "public"
                )

    def _post(self, path: Path, blog: BlogConfig | None) -> PostMeta | None:
        front = parse_file(path)
        self.bodies.append((path, front))
        meta = self._model(path, front, PostMeta)
        internal_blog = bool(blog and blog.audience == "internal")
        self._audience(
            path,
            front,
            meta,
            internal_blog,
            "a post in an internal blog cannot be public",
        )
        if meta and meta.unit:
            self._unit(path, front.line_of("unit"), front.keys["unit"], meta.unit)
        return meta

    def _page(self, path: Path, internal: bool) -> None:
        front = parse_file(path)
        self.bodies.append((path, front))
        meta = self._model(path, front, PageMeta)
        folder = self.content / ("internal" if internal else "pages")
        page_path = path.relative_to(folder).with_suffix("").as_posix()
        save_as, field, line = f"{page_path}/index.html", "", 0
        if meta and meta.save_as:
            save_as, field = meta.save_as, front.keys["save_as"]
            line = front.line_of("save_as")
            self._inside_site(path, line, field, save_as)
        if meta and meta.url:
            self._inside_site(path, front.line_of("url"), front.keys["url"], meta.url)
        if meta and meta.status != "draft":
            self._output(
                path, line, field, save_as, "internal" if internal else "public"
            )
        self._audience(
            path,
            front,
            meta,
            internal,
            "pages in content/internal/ are internal; remove 'Audience: public'"
            " or move the page to content/pages/",
        )

    def _audience(
        self, path, front: FrontMatter, meta, inside_internal: bool, why: str
    ) -> None:
        """Record who may see this file; 'Audience: public' inside internal content is an error."""
        if (
            inside_internal
            and meta
            and "audience" in front.fields
            and meta.audience == "public"
        ):
            self.problems.append(
                Problem(
                    self.where(path),
                    front.line_of("audience"),
                    front.keys["audience"],
                    why,
                )
            )
        self.audience[self._resolved(path)] = audience_of(
            path.relative_to(self.content),
            audience=meta.audience if meta else None,
            internal_blogs=self.internal_blogs,
        )

    def _inside_site(self, path: Path, line: int, field: str, value: str) -> None:
        """A Save_as or URL is a path inside the site: relative, no '..', no
        scheme or host (``https://evil.example/`` made a broken canonical URL)."""
        parts = value.replace("\\", "/").split("/")
        if (
            value.startswith("/")
            or "\\" in value
            or ".." in parts
            or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value)
            or any(ch in value for ch in "?#\0")
        ):
            self.problems.append(
                Problem(
                    self.where(path),
                    line,
                    field,
                    f"'{value[:80]}' must be a path inside the site, like about/index.html"
                    " (no leading /, no '..', no scheme or host)",
                )
            )

    def _output(
        self, path: Path, line: int, field: str, save_as: str, audience: str
    ) -> None:
        """Two sources may not write the same file (the build stopped with
        FileOverwriteFailedError, or one page silently replaced the other).
        Pages of content/internal/ and content/pages/ meet in the intranet."""
        key = save_as.lstrip("./")
        first = self._outputs.get(key)
        if first is None:
            self._outputs[key] = path
            return
        self.problems.append(
            Problem(
                self.where(path),
                line,
                field,
                f"writes {key}, which {self.where(first)} already writes: rename one of them"
                + (
                    " or set a Slug"
                    if field in ("", "Slug") and "blogs/" in key
                    else ""
                ),
            )
        )

    def _resolved(self, path: Path) -> Path:
        """``path.resolve()``, with each folder resolved once (resolving every
        file's full path was a third of validating 2,000 posts)."""
        if path.is_symlink():
            return path.resolve()
        folder = self._folders.get(path.parent)
        if folder is None:
            folder = self._folders[path.parent] = path.parent.resolve()
        return folder / path.name

    def _model(self, path: Path, front: FrontMatter, model):
        for key, line in front.duplicates:
            self.problems.append(Problem(self.where(path), line, key, "appears twice"))
        try:
            return model.model_validate(front.fields)
        except ValidationError as error:
            self.problems += _pydantic_problems(
                error, self.where(path), front.line_of, front.fields, model, front.keys
            )
            return None

    def _unit(self, path: Path, line: int, field: str, unit: str) -> None:
        if self.units and unit not in self.units:
            close = difflib.get_close_matches(unit, self.units, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            self.problems.append(
                Problem(
                    self.where(path),
                    line,
                    field,
                    f"unknown unit '{unit}'{hint}: no content/units/{unit}.yaml",
                )
            )

    def _links(self) -> None:
        """Internal links must resolve, and public content must not link to internal."""
        for path, front in self.bodies:
            fenced = False
            for offset, text in enumerate(front.body.splitlines()):
                line = front.body_line + offset
                if text.lstrip().startswith(("```", "~~~")):
                    fenced = not fenced
                if not fenced:
                    self._heading(path, line, text)
                for match in _LINK.finditer(text):
                    self._link(path, line, match["target"])
            for key, value in front.fields.items():  # Summary: is rendered too
                for match in _LINK.finditer(value):
                    self._link(path, front.line_of(key), match["target"])

    def _heading(self, path: Path, line: int, text: str) -> None:
        match = _H1.match(text)
        if match:
            hint = (
                f"write \\#{match['rest']} or put a word before the hashtag"
                if match["rest"]
                else "start sections with ## (the title is the page heading)"
            )
            self.problems.append(
                Problem(
                    self.where(path),
                    line,
                    "heading",
                    f"a line starting with # becomes a second page title: {hint}",
                )
            )

    def _link(self, path: Path, line: int, target_text: str) -> None:
        base = self.content if target_text.startswith("/") else path.parent
        # Pelican tries the path as written, URL-decoded, then HTML-unescaped.
        spellings = dict.fromkeys(
            [target_text, unquote(target_text), html.unescape(target_text)]
        )
        targets = [(base / t.lstrip("/")).resolve() for t in spellings]
        content = self.content.resolve()
        public = self.audience.get(self._resolved(path)) == "public"
        if any(content != t and content not in t.parents for t in targets):
            self.problems.append(
                Problem(
                    self.where(path),
                    line,
                    "link",
                    f"'{target_text}' is outside the content folder",
                )
            )
        elif not any(t.exists() for t in targets):
            self.problems.append(
                Problem(
                    self.where(path), line, "link", f"'{target_text}' does not exist"
                )
            )
        elif public and any(t.exists() and self._is_internal(t) for t in targets):
            self.problems.append(
                Problem(
                    self.where(path),
                    line,
                    "link",
                    f"public content links to internal content '{target_text}'",
                )
            )

    def _is_internal(self, target: Path) -> bool:
        if target in self.audience:
            return self.audience[target] == "internal"
        if self._internal_roots is None:
            from .blogs import internal_blog_folders  # blogs imports this module

            self._internal_roots = [
                (self.content / folder).resolve()
                for folder in (
                    "internal",
                    *(f"blogs/{b}" for b in internal_blog_folders(self.content)),
                )
            ]
        return any(root in target.parents for root in self._internal_roots)


def _slugify(stem: str) -> str:
    """The slug Pelican makes of a file name (SLUGIFY_SOURCE = "basename")."""
    from pelican.settings import DEFAULT_CONFIG
    from pelican.utils import slugify

    return slugify(stem, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])


def _hidden(path: Path, content: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(content).parts)


def _line_in(path: Path, key: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(f"{key}:"):
            return number
    return 1
