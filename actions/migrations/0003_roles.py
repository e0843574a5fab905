"""The three roles as groups with the model permissions each needs.

Ownership ("authors edit their own notes", "assignees change their own action
points") is checked in views; these permissions say what a role may do at all.
Admin access also needs ``is_staff`` on the user, which a group cannot grant.
"""

from django.db import migrations

TALKS_MODELS = ("event", "speaker", "talk", "openspace", "note", "takeaway")
ACTIONS_MODELS = ("actionpoint", "actionpointchange")

READ_ALL = [f"talks.view_{m}" for m in TALKS_MODELS] + [
    f"actions.view_{m}" for m in ACTIONS_MODELS
]
ROLES = {
    "attendee": READ_ALL
    + [f"talks.{verb}_{m}" for m in ("note", "takeaway") for verb in ("add", "change", "delete")]
    + ["talks.add_talk", "talks.add_openspace", "talks.add_speaker"]
    + ["actions.add_actionpoint", "actions.change_actionpoint"],
    "manager": READ_ALL + ["taggit.view_tag"],
    "staff": [
        f"{app}.{verb}_{m}"
        for app, models in (
            ("talks", TALKS_MODELS),
            ("actions", ("actionpoint",)),
            ("taggit", ("tag",)),
        )
        for m in models
        for verb in ("add", "change", "delete", "view")
    ]
    + ["actions.view_actionpointchange", "auth.view_user"],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so
    # the groups can refer to them on a fresh database.
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)


def delete_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0002_session_event_agreement"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
