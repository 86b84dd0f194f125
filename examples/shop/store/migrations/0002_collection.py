from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("store", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Collection",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100, unique=True)),
            ],
        ),
        migrations.RunSQL(
            sql="INSERT INTO store_collection (name) VALUES ('Featured'), ('New arrivals');",
            reverse_sql="DELETE FROM store_collection WHERE name IN ('Featured', 'New arrivals');",
        ),
    ]
