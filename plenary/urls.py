from __future__ import annotations

from django.urls import path

from plenary import views

app_name = "plenary"

urlpatterns = [
    path(
        "animer/<str:code>/a/<int:activity_id>/diapositives/",
        views.slides_page,
        name="slides",
    ),
    path(
        "animer/<str:code>/a/<int:activity_id>/diapositives/ajouter/",
        views.slide_upload,
        name="slide_upload",
    ),
    path(
        "animer/<str:code>/a/<int:activity_id>/diapositives/monter/",
        views.slide_up,
        name="slide_up",
    ),
    path(
        "animer/<str:code>/a/<int:activity_id>/diapositives/descendre/",
        views.slide_down,
        name="slide_down",
    ),
    path(
        "animer/<str:code>/a/<int:activity_id>/diapositives/retirer/",
        views.slide_remove,
        name="slide_remove",
    ),
    path(
        "animer/<str:code>/a/<int:activity_id>/diapositives/notes/",
        views.slide_notes,
        name="slide_notes",
    ),
    path(
        "animer/<str:code>/diapositives/<str:filename>",
        views.slide_image,
        name="slide_image",
    ),
]
