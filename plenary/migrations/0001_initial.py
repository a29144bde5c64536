import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Takes over the existing `workshops_word` table (state only)."""

    initial = True

    dependencies = [("workshops", "0003_word_to_plenary")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Word",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("text", models.CharField(max_length=60)),
                        ("key", models.CharField(db_index=True, max_length=60)),
                        ("hidden", models.BooleanField(default=False, verbose_name="masqué")),
                        ("activity", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="words", to="workshops.activity")),
                        ("answer", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="words", to="workshops.answer")),
                    ],
                    options={"ordering": ["id"], "db_table": "workshops_word"},
                )
            ],
        )
    ]
