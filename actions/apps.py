from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = "Follow-ups"

    def ready(self) -> None:
        from actions.tallies import keep_for_the_sites_zone

        post_migrate.connect(keep_for_the_sites_zone, sender=self)
