from pathlib import Path

from pelican import signals

from .problems import ContentError
from .validate import tree_stamp, validate_tree


def stop_on_invalid_content(pelican) -> None:
    """Refuse to build from content that breaks the content model."""
    content = Path(pelican.settings["PATH"])
    # sitebuild validates once before starting both sites and passes the stamp
    # of the tree it validated; an unchanged tree need not be parsed again.
    validated = pelican.settings.get("CONTENT_VALIDATED_STAMP")
    if validated and validated == tree_stamp(content):
        return
    problems = [p for p in validate_tree(content) if p.severity == "error"]
    if problems:
        raise ContentError(problems)


def register() -> None:
    signals.initialized.connect(stop_on_invalid_content)
