"""The floor of the room benchmark: a bare Channels application on the same stack (the same
server, the same channel layer), with none of Rencontres' work. Sockets join one group; a POST to
/send/ sends one fixed HTML fragment of the size of a real push to the group. A POST to /tap/
is the least an acknowledged tap must do: one row written in its own transaction (SQLite in WAL
mode, as the room's default) and a fragment of the size of a real answer sent back.

    python -m uvicorn floor_app:application   (run from bench/, with DJANGO_SETTINGS_MODULE unset)
"""

from __future__ import annotations

import os

import django
from django.conf import settings

if not settings.configured:
    redis_url = os.environ.get("REDIS_URL")
    layer = (
        {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_url]},
        }
        if redis_url
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
    settings.configure(
        DEBUG=False,
        SECRET_KEY="floor",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["channels"],
        CHANNEL_LAYERS={"default": layer},
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": os.environ.get("FLOOR_DB", "/tmp/rencontres-floor.sqlite3"),
                "OPTIONS": {
                    "transaction_mode": "IMMEDIATE",
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                },
            }
        },
    )
    django.setup()

from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application
from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

GROUP = "floor"
PUSH = '<section id="stage" data-version="floor">' + "x" * 6000 + "</section>"


class FloorConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        await self.accept()
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.send(text_data="ready")

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def push(self, event: dict) -> None:
        await self.send(text_data=event["html"])


@csrf_exempt
def send(request):
    async_to_sync(get_channel_layer().group_send)(GROUP, {"type": "push", "html": PUSH})
    return HttpResponse("sent")


ACK = '<div id="mine">' + "x" * 1500 + "Réponse enregistrée</div>"


@csrf_exempt
def tap(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS tap (id INTEGER PRIMARY KEY, choice TEXT)")
        cursor.execute("INSERT INTO tap (choice) VALUES (%s)", [request.POST.get("choice", "")])
    return HttpResponse(ACK)


urlpatterns = [path("send/", send), path("tap/", tap)]

application = ProtocolTypeRouter(
    {
        "http": get_asgi_application(),
        "websocket": URLRouter([path("ws/", FloorConsumer.as_asgi())]),
    }
)
