from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
OUTPUT = ROOT / "output"
SETTINGS = {"public": ROOT / "pelican.conf.py", "internal": ROOT / "internal.conf.py"}
SITES = tuple(SETTINGS)
