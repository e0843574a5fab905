"""Gunicorn's logger with feed keys and calendar tokens redacted from its access and
error logs (the request line, the referrer, "Error handling request <uri>").
Named by ``logger_class`` in gunicorn.conf.py."""

from gunicorn.glogging import Logger

from notesite.redaction import RedactSecretsFilter

_FILTER = RedactSecretsFilter()


class GunicornLogger(Logger):
    """Gunicorn's own logger, with the redacting filter on both of its logs."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        # setup() runs again on a reload; one shared filter is added once.
        for log in (self.error_log, self.access_log):
            log.addFilter(_FILTER)
