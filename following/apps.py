from django.apps import AppConfig


class FollowingConfig(AppConfig):
    """Following tags and events, as people meet it: the follow buttons and the
    weekly digest email. No models: ``Follow`` and ``DigestLog`` belong to talks,
    and the digest goes out through the action points' outbox."""

    name = "following"
    verbose_name = "Following"
