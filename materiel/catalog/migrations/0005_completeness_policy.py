from datetime import date

from django.db import migrations


def load(apps, schema_editor):
    """The đồng bộ rule in force unless an administrator sets another (no official formula is public)."""
    CompletenessPolicy = apps.get_model("catalog", "CompletenessPolicy")
    CompletenessPolicy.objects.get_or_create(
        valid_from=date(2000, 1, 1),
        defaults={
            "damaged_counts": True,
            "decimals": 1,
            "note": "Mặc định: trang bị thiếu hoặc hỏng bất kỳ phần nào của bộ đồng bộ là không đồng bộ.",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_kits")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
