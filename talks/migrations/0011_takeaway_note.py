"""The link from a takeaway to the note it was written with (the next migration fills
it), and an index of the draft notes, which hide what was written with them."""

import talks.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("talks", "0010_note_submission_token"),
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
        migrations.AddIndex(
            model_name="note",
            index=models.Index(
                condition=models.Q(("status", "draft")),
                fields=["id"],
                include=("author",),
                name="note_draft_idx",
            ),
        ),
    ]
