"""Screens of the pmsim app."""
