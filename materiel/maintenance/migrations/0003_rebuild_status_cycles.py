"""Sealing starts the cycle of a plan of a status of its own (docs/maintenance.md): the due rows of
such plans were computed from the last maintenance or the receipt. Dropped here, they are rebuilt by
the new rule on the board's next read (a missing row is stale), as when a plan is edited."""

from django.db import migrations


def drop_rows(apps, schema_editor):
    plan_model = apps.get_model("maintenance", "MaintenancePlan")
    due_model = apps.get_model("maintenance", "DueState")
    own_status = [p.pk for p in plan_model.objects.all() if "in_service" not in (p.statuses or [])]
    due_model.objects.filter(plan_id__in=own_status).delete()


class Migration(migrations.Migration):
    dependencies = [("maintenance", "0002_technical_day")]

    operations = [migrations.RunPython(drop_rows, migrations.RunPython.noop)]
