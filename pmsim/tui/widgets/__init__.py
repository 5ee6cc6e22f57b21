"""Widgets of the pmsim app (panes and small parts)."""
