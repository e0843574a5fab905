"""Staff see and delete login lockouts (axes' access attempts) in the admin, to
unlock someone before the cool-off ends."""

from django.db import migrations

CODES = ["view_accessattempt", "delete_accessattempt"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    axes = apps.get_app_config("axes")
    axes.models_module = True
    create_permissions(axes, verbosity=0, apps=apps)
    axes.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    staff = Group.objects.filter(name="staff").first()
    if staff is not None:
        staff.permissions.add(
            *Permission.objects.filter(content_type__app_label="axes", codename__in=CODES)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    staff = Group.objects.filter(name="staff").first()
    if staff is not None:
        staff.permissions.remove(
            *Permission.objects.filter(content_type__app_label="axes", codename__in=CODES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0012_link_action_points_to_notes"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
