from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from territories import views

app_name = "territories"

urlpatterns = [
    path("", login_required(require_GET(views.territory_list)), name="list"),
    path(
        "<slug:slug>/filieres/",
        login_required(require_http_methods(["GET", "POST"])(views.filiere_table)),
        name="filiere_table",
    ),
]
