"""Append-only records in Python: one implementation for the ledger's events and seals, the unit
changes and the audit log. The database triggers of core.append_only refuse the same at the last line."""

from typing import Any, NoReturn

from django.db import models


class AppendOnlyError(Exception):
    """An append-only row was to be updated or deleted."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    append_only_message = "These rows are append-only: record a correcting entry instead."
    error = AppendOnlyError

    def update(self, **kwargs: Any) -> NoReturn:
        raise self.error(self.append_only_message)

    def delete(self) -> NoReturn:
        raise self.error(self.append_only_message)


class AppendOnlyModel(models.Model):
    """A row written once (force_insert or a first save) and never updated or deleted."""

    append_only_message = "These rows are append-only: record a correcting entry instead."
    append_only_error = AppendOnlyError

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise self.append_only_error(self.append_only_message)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise self.append_only_error(self.append_only_message)
