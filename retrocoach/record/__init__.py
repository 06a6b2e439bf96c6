"""What a session leaves behind: the event log (and later the store and exporters)."""
