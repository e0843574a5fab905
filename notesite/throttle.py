"""Login throttling on top of django-axes: two limits, and the client's address.

Axes compares one count with one limit. Notesite has two: failures for one account
from one address (small, so guessing one person's password stops quickly) and
failures from one address for any account (larger, since an office behind one NAT
address shares it). ``LoginThrottleHandler`` reports a count that reaches axes'
limit when either is reached, so axes' own lockout, middleware and admin do the rest.
"""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_parameters, get_client_username
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, as seen by the outermost trusted proxy.

    With ``TRUSTED_PROXY_COUNT = 0`` (the default) that is REMOTE_ADDR. Behind N
    proxies that each append the address they saw to X-Forwarded-For, it is the N-th
    entry from the right: entries further left were written by the client and can be
    anything. A request with a shorter header did not come through the proxies, so its
    REMOTE_ADDR is the client's.
    """
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR") or None
    if count <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with a separate, larger limit for an address alone."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """Failures within the cool-off, measured against ``AXES_FAILURE_LIMIT``: the
        account-and-address count, or the limit itself once the address alone has
        reached ``LOGIN_FAILURE_LIMIT_PER_IP``."""
        parameters = get_client_parameters(
            get_client_username(request, credentials),
            request.axes_ip_address,
            request.axes_user_agent,
            request,
            credentials,
        )
        by_account, by_address = 0, 0
        for filters, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=True
        ):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if set(filters) == {"ip_address"}:
                by_address = max(by_address, failures)
            else:
                by_account = max(by_account, failures)
        if by_address >= settings.LOGIN_FAILURE_LIMIT_PER_IP:
            return max(by_account, settings.AXES_FAILURE_LIMIT)
        return by_account


def lockout_response(
    request: HttpRequest, original_response=None, credentials: dict | None = None
) -> HttpResponse:
    """The page a locked-out login gets (429), saying how long to wait."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    context = {"cooloff_minutes": minutes, "login_url": reverse("login")}
    return render(request, "registration/locked_out.html", context, status=429)
