"""python -m tps.preview [--site public] [--port 8000] [--content DIR] [--output DIR]"""

import argparse
from pathlib import Path

from tps.core.paths import CONTENT

from .loop import serve
from .site import PREVIEW

parser = argparse.ArgumentParser(
    description="Preview a site with drafts, reloading on save."
)
parser.add_argument("--site", default="public", choices=("public", "internal"))
parser.add_argument("--port", type=int, default=8000)
parser.add_argument("--content", type=Path, default=CONTENT)
parser.add_argument("--output", type=Path, default=PREVIEW)
parser.add_argument("--no-search", action="store_true")
args = parser.parse_args()
serve(
    args.site,
    args.port,
    content=args.content,
    output_root=args.output,
    search=not args.no_search,
)
