from django.db import migrations, models


class Migration(migrations.Migration):
    """Seals become keyed (HMAC-SHA256). Seals already stored were plain SHA-256: they keep that
    algorithm, still verify, and are reported as unkeyed (docs/security.md)."""

    dependencies = [("ledger", "0006_event_unit_day_item_index")]

    operations = [
        migrations.AddField(
            model_name="ledgerseal",
            name="algorithm",
            field=models.CharField(
                choices=[("sha256", "SHA-256"), ("hmac-sha256", "HMAC-SHA256")], default="sha256", max_length=20
            ),
        ),
        migrations.AlterField(
            model_name="ledgerseal",
            name="algorithm",
            field=models.CharField(
                choices=[("sha256", "SHA-256"), ("hmac-sha256", "HMAC-SHA256")], default="hmac-sha256", max_length=20
            ),
        ),
        migrations.AddField(
            model_name="ledgerseal",
            name="key_id",
            field=models.CharField(blank=True, max_length=16),
        ),
    ]
