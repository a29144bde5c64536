from __future__ import annotations

from django.urls import path

from workshops import views

app_name = "workshops"

urlpatterns = [
    path("j/", views.join_code, name="join_code"),
    path("j/<str:code>", views.join, name="join"),
    path("j/<str:code>/a/<int:activity_id>/", views.phone_activity, name="phone_activity"),
    path("animer/", views.home, name="home"),
    path("animer/nouvelle/", views.rencontre_new, name="rencontre_new"),
    path("animer/<str:code>/", views.control, name="control"),
    path("animer/<str:code>/ecran/", views.screen, name="screen"),
    path("animer/<str:code>/deroule/", views.agenda_edit, name="agenda_edit"),
    path("animer/<str:code>/restitution.pdf", views.restitution_pdf, name="restitution_pdf"),
    path("animer/<str:code>/export/<slug:name>.csv", views.export_csv, name="export_csv"),
    path("animer/<str:code>/export.json", views.export_json, name="export_json"),
    path("moi/<str:token>/", views.personal, name="personal"),
    path(
        "animer/<str:code>/activite/<int:activity_id>/",
        views.activity_edit,
        name="activity_edit",
    ),
    path("animer/<str:code>/action/", views.control_action, name="control_action"),
    path("animer/<str:code>/a/<int:activity_id>/", views.control_activity, name="control_activity"),
    path("healthz", views.healthz, name="healthz"),
]
