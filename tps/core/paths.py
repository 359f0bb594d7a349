from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
OUTPUT = ROOT / "output"
SETTINGS = {"public": ROOT / "pelican.conf.py", "internal": ROOT / "internal.conf.py"}
SITES = tuple(SETTINGS)
