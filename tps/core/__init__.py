"""Helpers every capability shares (files, problems, safe YAML, CSV cells,
pages, account keys, the project's folders). Imports no capability."""
