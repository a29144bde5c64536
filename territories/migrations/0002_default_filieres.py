from __future__ import annotations

from django.db import migrations
from django.utils.text import slugify


def load(apps, schema_editor):
    from territories.filieres import CNI_FILIERES, NEW_FILIERES

    Filiere = apps.get_model("territories", "Filiere")
    rows = [(name, "new") for name in NEW_FILIERES] + [(name, "cni") for name in CNI_FILIERES]
    for position, (name, source) in enumerate(rows):
        Filiere.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "source": source, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("territories", "0001_filiere")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
