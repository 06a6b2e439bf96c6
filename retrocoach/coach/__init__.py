"""The session engine: clock-driven, pure (no Qt, no bleak, no I/O)."""
