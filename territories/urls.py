from __future__ import annotations

from django.urls import path

from territories import views

app_name = "territories"

urlpatterns = [
    path("importer/", views.import_page, name="import"),
    path("importer/api/", views.import_api, name="import_api"),
    path("importer/<int:job_id>/", views.import_job, name="import_job"),
    path("importer/<int:job_id>/relancer/", views.import_retry, name="import_retry"),
    path("", views.territory_list, name="list"),
    path("<slug:slug>/evenement/", views.event_form, name="event_form"),
    path("<slug:slug>/filieres/", views.filiere_table, name="filiere_table"),
]
