"""Alembic migrations, applied programmatically by `pmsim.storage.migrate` (no alembic.ini)."""
