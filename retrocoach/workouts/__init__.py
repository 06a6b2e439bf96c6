"""Workout model, runner profile, built-in library and the TOML file format."""
