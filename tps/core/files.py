"""Writing a file whole or not at all, and telling a file from its copies.

A reader never sees a half-written file and a crash mid-write leaves the
previous file intact: write to a temporary file in the same folder, fsync,
then rename over the old one. Feed caches, reports, the monitoring history and
the build caches are all written this way.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def file_stamp(path: str | Path) -> tuple[int, int, int] | None:
    """Size, modification time (ns) and inode: a hard link keeps all three, a
    rewritten file changes them. None when there is no such file."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_size, found.st_mtime_ns, found.st_ino)


def files_ending(root: Path, suffix: str, *, skip: tuple[str, ...] = ()) -> list[Path]:
    """Every file under ``root`` whose name ends with ``suffix``, in the order
    ``sorted(root.rglob("*" + suffix))`` gives, without descending into the
    top-level folders ``skip``. ``os.walk``: pathlib's ``rglob`` with a
    pattern took ten times as long on a 2,400-page site (0.48 s against 0.045 s)."""
    found = []
    root = Path(root)
    for folder, folders, names in os.walk(root):
        if folder == str(root) and skip:
            folders[:] = [name for name in folders if name not in skip]
        found += [Path(folder, name) for name in names if name.endswith(suffix)]
    return sorted(found)
