import sys
from pathlib import Path

from pelican import signals

from tps.core.problems import ContentError

from .validation import tree_stamp, validate_tree


def stop_on_invalid_content(pelican) -> None:
    """Refuse to build from content that breaks the content model."""
    content = Path(pelican.settings["PATH"])
    if not pelican.settings.get("VALIDATE_CONTENT", True):
        return  # the preview: validated in a process of its own (tps/preview/check.py)
    # tps.site.build validates once for both sites and passes the stamp of the tree
    # it validated; an unchanged tree need not be parsed again. With BUILD_GATE
    # the stamp comes on stdin once validation is done (Pelican started
    # meanwhile); no stamp means: stop.
    if pelican.settings.get("BUILD_GATE"):
        validated = sys.stdin.readline().strip()
        if not validated:
            raise SystemExit("build cancelled: the content was not validated")
    else:
        validated = pelican.settings.get("CONTENT_VALIDATED_STAMP")
    if validated and validated == tree_stamp(content):
        return
    problems = [p for p in validate_tree(content) if p.severity == "error"]
    if problems:
        raise ContentError(problems)


def register() -> None:
    signals.initialized.connect(stop_on_invalid_content)
