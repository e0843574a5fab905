"""Link each action point to the note it was written with (talks.drafted), so that those
written with a draft note stay private until it is published."""

import talks.drafted
from django.db import migrations


def link_to_notes(apps, schema_editor):
    items = apps.get_model("actions", "actionpoint").objects.all()
    notes = apps.get_model("talks", "note").objects.all()
    talks.drafted.attach_to_notes(items, notes, author_field="raised_by_id")


class Migration(migrations.Migration):
    dependencies = [("actions", "0011_action_point_note")]

    operations = [migrations.RunPython(link_to_notes, migrations.RunPython.noop)]
