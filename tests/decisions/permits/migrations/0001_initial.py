import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("councils", "0001_initial"),
        ("providers", "0002_trigram_name_search"),
    ]

    operations = [
        migrations.CreateModel(
            name="Permit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("status", models.CharField(default="requested", max_length=20)),
                ("decided_on", models.DateField(blank=True, null=True)),
                ("refuse_when_decided", models.BooleanField(default=False)),
                (
                    "council",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="councils.council",
                    ),
                ),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="providers.location",
                    ),
                ),
            ],
        ),
    ]
