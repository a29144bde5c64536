from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from territories import views

app_name = "territories"

urlpatterns = [
    path(
        "importer/",
        login_required(require_http_methods(["GET", "POST"])(views.import_page)),
        name="import",
    ),
    path(
        "importer/<int:job_id>/", login_required(require_GET(views.import_job)), name="import_job"
    ),
    path("", login_required(require_GET(views.territory_list)), name="list"),
    path(
        "<slug:slug>/evenement/",
        login_required(require_http_methods(["GET", "POST"])(views.event_form)),
        name="event_form",
    ),
    path(
        "<slug:slug>/filieres/",
        login_required(require_http_methods(["GET", "POST"])(views.filiere_table)),
        name="filiere_table",
    ),
]
