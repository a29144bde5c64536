from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

urlpatterns = [
    path("", RedirectView.as_view(url="/j/", permanent=False)),
    path(
        "comptes/connexion/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("comptes/deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch of every page (a cookie; LocaleMiddleware reads it).
    path("langue/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("territoires/", include("territories.urls")),
    path("", include("plenary.urls")),
    path("", include("workshops.urls")),
]
