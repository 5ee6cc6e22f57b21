"""Storage errors: each carries one line a person can act on, and the exit code a command uses."""

from __future__ import annotations


class StorageError(Exception):
    """Base class. `str(e)` is one actionable line; `exit_code` is what a command exits with."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DatabaseUnavailable(StorageError):
    """The database cannot be reached or opened (server down, bad credentials, bad path)."""


class NotAPmsimDatabase(StorageError):
    """The file or database exists but is not (or no longer) a pmsim database."""


class SchemaTooNew(StorageError):
    """The database was written by a newer pmsim; it is left untouched."""


class SaveNotFound(StorageError):
    """No save with that id."""


class SaveDamaged(StorageError):
    """A save's stored data cannot be read back (e.g. an unparsable action row)."""


class SaveConflict(StorageError):
    """Another process wrote to the same save at the same time."""


class ReadOnlySave(StorageError):
    """The save was opened read-only (its replay differs from the record, or it is damaged)."""


class SaveFileError(StorageError):
    """An exported save file was rejected (import, replay or fork of a file)."""


class ClassNotFound(StorageError):
    """No class with that join code (the message names the code asked for, never other codes)."""


class SaveNotReplayable(StorageError):
    """A save whose replay cannot be trusted (damaged, differs from its record) or that has no
    completed quarter yet, asked for something only a replayed, played game has (review, portfolio)."""
