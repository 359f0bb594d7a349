"""Build orchestration shared by tasks.py and the tests: validate the content,
build the sites with Pelican into staging folders, swap them in only on success."""

import sys
from pathlib import Path

_PLUGINS = str(Path(__file__).resolve().parent.parent / "plugins")
if _PLUGINS not in sys.path:  # plugins share helpers, e.g. content_model
    sys.path.insert(0, _PLUGINS)
