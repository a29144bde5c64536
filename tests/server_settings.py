"""Settings of the servers the browser tests start (daphne, `make demo`): the real settings,
with shorter polling intervals so that a test waits for the behaviour, not for the clock.

The parts a phone polls that the tests refresh themselves ("Actualiser") keep their interval:
a swap every second under a test's clicks would only make it flaky.
"""

from __future__ import annotations

from rencontres.settings import *  # noqa: F403

LIVE_POLL_SECONDS = {
    **LIVE_POLL_SECONDS,  # noqa: F405
    "conclusion": 0.5,
    "job": 0.25,
    "deck_converting": 0.5,
    "fallback_after": 3,
    "socket_probe": 2,
}
LIVE_COALESCE_SECONDS = {"screen": 0.1, "control": 0.1}
