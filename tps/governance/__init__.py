"""Governance (DESIGN §6): monitoring of the official accounts' posts and
profiles, the same text checks over editors' Markdown, and the effectiveness
dashboard. Internal only: the generator writes nothing in a public build."""

from .generator import register

__all__ = ["register"]
