"""Atomic releases to a target (local path or user@host:path): used by
`invoke publish`, `rollback`, `releases` and the alert push."""
