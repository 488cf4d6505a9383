"""A domain record of the test app: a calibration run over many items, its lines pointing at the
events it wrote (the pattern of ledger.records)."""

from django.db import models

from materiel.ledger.records import EventLine


class CalibrationRun(models.Model):
    number = models.CharField(max_length=30)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")


class CalibrationLine(EventLine):
    record = models.ForeignKey(CalibrationRun, on_delete=models.PROTECT, related_name="lines")
