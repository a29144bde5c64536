from __future__ import annotations

from django.urls import path

from workshops import consumers

websocket_urlpatterns = [
    path("ws/p/<str:code>/", consumers.ParticipantConsumer.as_asgi()),
    path("ws/ecran/<str:code>/", consumers.ScreenConsumer.as_asgi()),
    path("ws/animer/<str:code>/", consumers.ControlConsumer.as_asgi()),
]
