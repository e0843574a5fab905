from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from actions import account
from event_pages import views as event_pages
from notesite import views
from search import views as search
from talks import urls as talks_urls

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Login, logout and password change only: accounts are made by staff, so there
    # is no sign-up, and no password reset by email to an unverified address.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", account.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        account.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # The admin's logout is the site's (one session, one way to end it).
    path("admin/logout/", account.LogoutView.as_view()),
    path("admin/", admin.site.urls),
    path("", include("notes.urls")),
    path("", include("search.urls")),
    path("", include("imports.urls")),
    # Talks names the addresses of its things; the pages at some of them show other
    # apps' things too, so the apps above serve them.
    path(
        "",
        include(
            talks_urls.urlconf(
                event_page=event_pages.event_detail,
                talk_page=event_pages.talk_detail,
                open_space_page=event_pages.open_space_detail,
                tag_page=search.tag_detail,
            )
        ),
    ),
    path("", include("actions.urls")),
    path("", include("following.urls")),
]
