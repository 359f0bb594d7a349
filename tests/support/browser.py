"""The tests drive Chromium and axe-core with the same helpers the audit uses."""

from tps.site.browser import ARGS, CHROMIUM, WCAG_AA, axe_violations, describe, launch

__all__ = ["ARGS", "CHROMIUM", "WCAG_AA", "axe_violations", "describe", "launch"]
