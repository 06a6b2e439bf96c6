"""The desktop app (PySide6). The only Qt code besides `audio/`."""
