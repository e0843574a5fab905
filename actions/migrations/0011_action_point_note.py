"""The link from a row to the note it was written with; the next migration fills it."""

import talks.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0010_weekly_digests_in_outbox"),
        ("talks", "0012_link_takeaways_to_notes"),
    ]

    operations = [
        migrations.AddField(
            model_name="actionpoint",
            name="note",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=talks.models.delete_with_draft,
                related_name="action_points",
                to="talks.note",
            ),
        ),
    ]
