from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0004_order_status_required"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="order",
            name="note",
        ),
    ]
