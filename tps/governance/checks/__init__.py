"""The text checks: pure functions over one text that return Hits (offsets into it)."""
