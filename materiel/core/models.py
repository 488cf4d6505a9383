"""What the core keeps in the database: the submissions already answered (idempotency)."""

from django.db import models


class Submission(models.Model):
    """One write request that carried an idempotency key, and the answer it got.

    A replay of the same key by the same principal is answered from here and writes nothing
    (core.idempotency). `pending` while the first request is still being answered."""

    principal = models.CharField(max_length=80)  # "u<user id>" or "t<hash of the API token>"
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)  # what was submitted: method, path and content
    pending = models.BooleanField(default=True)
    status = models.PositiveSmallIntegerField(null=True)
    headers = models.JSONField(default=dict)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="submission_once_per_key")]
