from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from pelican import signals

DIGEST_LENGTH = 10
MANIFEST = (
    "fingerprints.txt"  # this build's hashed files; deploy carries them one release on
)
# A bundle is one static file followed by the theme's files matching a pattern
# (relative to the theme folder), in path order: each component keeps its CSS
# beside its macro (theme/templates/components/<name>/<name>.css) and pages
# still load one stylesheet, so the CSP and the request count stay as they are.
BUNDLES = {"css/main.css": "templates/components/*/*.css"}


class Fingerprints:
    """Per build: the hashed name of each theme file. Every file gets its hashed
    copy, not only those a template asked for this build: a page can come from
    cached template bytecode (the filter ran when it was compiled) or from the
    previous build (tps/incremental), and still link one."""

    def __init__(self) -> None:
        self.static: Path | None = None
        self.names: dict[str, str] = {}  # "css/main.css" -> "css/main.<hash>.css"

    def attach(self, generator) -> None:
        self.theme = Path(generator.theme)
        self.static = self.theme / "static"
        self.theme_dir = generator.settings["THEME_STATIC_DIR"]
        generator.env.filters["asset"] = self.url

    def url(self, relative: str) -> str:
        if relative not in self.names:
            source = self.static / relative
            if not source.is_file():
                raise FileNotFoundError(
                    f"theme asset {relative!r} not found in {self.static}"
                )
            digest = hashlib.sha256(self.content(relative)).hexdigest()
            digest = digest[:DIGEST_LENGTH]
            path = Path(relative)
            self.names[relative] = str(
                path.with_name(f"{path.stem}.{digest}{path.suffix}")
            )
        return f"{self.theme_dir}/{self.names[relative]}"

    def content(self, relative: str) -> bytes:
        """The file's bytes; for a bundle, the file then its parts, each after a
        comment naming it."""
        data = (self.static / relative).read_bytes()
        pattern = BUNDLES.get(relative)
        if pattern is None:
            return data
        parts = [data]
        for part in sorted(self.theme.glob(pattern)):
            name = part.relative_to(self.theme / "templates").as_posix()
            parts.append(f"\n/* {name} */\n".encode() + part.read_bytes())
        return b"".join(parts)

    def write(self, pelican) -> None:
        if self.static is None:
            return
        for path in sorted(self.static.rglob("*")):
            if path.is_file():
                self.url(path.relative_to(self.static).as_posix())
        output = Path(pelican.output_path) / self.theme_dir
        for relative, hashed in self.names.items():
            (output / hashed).parent.mkdir(parents=True, exist_ok=True)
            if relative in BUNDLES:
                # the unhashed copy Pelican made is the bundle too
                for name in (hashed, relative):
                    (output / name).write_bytes(self.content(relative))
            else:
                shutil.copyfile(self.static / relative, output / hashed)
        output.mkdir(parents=True, exist_ok=True)
        (output / MANIFEST).write_text(
            "".join(f"{name}\n" for name in sorted(self.names.values()))
        )


def register() -> None:
    fingerprints = Fingerprints()
    # blinker keeps weak references: bound methods of a local object need weak=False
    signals.generator_init.connect(fingerprints.attach, weak=False)
    signals.finalized.connect(fingerprints.write, weak=False)
