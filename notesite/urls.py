from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from actions import account
from notesite import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Login, logout and password change only: accounts are made by staff, so there
    # is no sign-up, and no password reset by email to an unverified address.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
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
    path("admin/", admin.site.urls),
    path("", include("notes.urls")),
    path("", include("search.urls")),
    path("", include("imports.urls")),
    path("", include("talks.urls")),
    path("", include("actions.urls")),
    path("", include("following.urls")),
]
