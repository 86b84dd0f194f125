from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("store", "0002_collection"),
    ]

    operations = [
        migrations.AlterField(
            model_name="product",
            name="sku",
            field=models.CharField(max_length=32),
        ),
    ]
