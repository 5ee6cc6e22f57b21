"""The Textual front end: `PmsimApp` (app.py), its screens, widgets and CLI commands."""
