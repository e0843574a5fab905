"""The link from a row to the note it was written with; the next migration fills it."""

import talks.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("talks", "0006_content_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="takeaway",
            name="note",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=talks.models.delete_with_draft,
                related_name="takeaways",
                to="talks.note",
            ),
        ),
    ]
