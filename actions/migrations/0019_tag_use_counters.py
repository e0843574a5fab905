# Action points' tag use counters (talks 0017 says how they are kept): their links
# count unless the action point was written with a note that is still a draft.

import importlib

from django.db import migrations

counters = importlib.import_module("talks.migrations.0017_tag_use_counters")

ACTION_POINTS = ("actions_taggedactionpoint", "action_points", "actions_actionpoint")


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0018_overview_tallies"),
        ("talks", "0017_tag_use_counters"),
    ]

    operations = [
        migrations.RunSQL(
            counters.kind(*ACTION_POINTS) + "SELECT talks_taguse_compact();",
            counters.drop_kind(*ACTION_POINTS),
        ),
    ]
