from django.db import migrations


def fill_order_status(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Order.objects.filter(status__isnull=True).update(status="new")


def clear_order_status(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    Order.objects.filter(status="new").update(status=None)


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0002_order_status"),
    ]

    operations = [
        migrations.RunPython(fill_order_status, reverse_code=clear_order_status),
    ]
