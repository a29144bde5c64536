from django.db import migrations


class Migration(migrations.Migration):
    """The words of word clouds belong to the plenary kinds now: the table stays as it is."""

    dependencies = [("workshops", "0002_answers")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Word")], database_operations=[]
        )
    ]
