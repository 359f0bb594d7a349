from pathlib import Path

from pelican import signals

from .problems import ContentError
from .validate import validate_tree


def stop_on_invalid_content(pelican) -> None:
    """Refuse to build from content that breaks the content model."""
    content = Path(pelican.settings["PATH"])
    problems = [p for p in validate_tree(content) if p.severity == "error"]
    if problems:
        raise ContentError(problems)


def register() -> None:
    signals.initialized.connect(stop_on_invalid_content)
