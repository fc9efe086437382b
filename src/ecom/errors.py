"""Named errors. Each carries a one-line message that names the file, column or argument."""

from __future__ import annotations


class EcomError(Exception):
    """Base class: an error the user can act on; the CLI prints its message on one line."""


class InvalidArgumentError(EcomError):
    """A job or CLI argument is missing, malformed or points at the wrong kind of thing."""


class MissingColumnsError(EcomError):
    """A raw file lacks required columns; nothing has been written when this is raised."""

    def __init__(self, path: str, missing: list[str]) -> None:
        self.path = path
        self.missing = missing
        super().__init__(f"{path}: missing required column(s): {', '.join(missing)}")


class DataFrameMissingColumnError(EcomError):
    """A transform received a DataFrame without a column it needs."""


class ReconciliationError(EcomError):
    """Row counts do not reconcile: rows read != staged + quarantined + duplicates dropped."""


class MixedSourcesError(EcomError):
    """A run would put rows of two raw sources into one lake; nothing has been written."""
