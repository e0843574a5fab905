"""Link each takeaway to the note it was written with (talks.drafted), so that those
written with a draft note stay private until it is published."""

import talks.drafted
from django.db import migrations


def link_to_notes(apps, schema_editor):
    items = apps.get_model("talks", "takeaway").objects.all()
    notes = apps.get_model("talks", "note").objects.all()
    talks.drafted.attach_to_notes(items, notes, author_field="author_id")


class Migration(migrations.Migration):
    dependencies = [("talks", "0011_takeaway_note")]

    operations = [migrations.RunPython(link_to_notes, migrations.RunPython.noop)]
