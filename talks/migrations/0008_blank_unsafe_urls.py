"""Blank the stored links that are not http(s).

Rows written before the rule (the importer set them without validation) may hold
``javascript:``, ``data:`` or other addresses that pages would link to. They are
blanked, and each one is printed so an operator can see what went. A harmless http(s)
link that the stricter form check would now refuse (``http://intranet/slides``, with
no top-level domain) is kept: pages still link it, and its next edit asks for a fix.
"""

from django.db import migrations

from common.links import is_http_url

LINKS = {"Event": ["website"], "Talk": ["slides_url", "video_url"]}


def blank_unsafe_links(apps, schema_editor):
    for model_name, fields in LINKS.items():
        model = apps.get_model("talks", model_name)
        for field in fields:
            for pk, value in model.objects.exclude(**{field: ""}).values_list("pk", field):
                if not is_http_url(value):
                    model.objects.filter(pk=pk).update(**{field: ""})
                    print(f"\n  Blanked {model_name} {pk} {field}: {value!r}", end="")


class Migration(migrations.Migration):
    dependencies = [("talks", "0007_http_only_urls")]

    operations = [migrations.RunPython(blank_unsafe_links, migrations.RunPython.noop)]
