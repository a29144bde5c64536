from __future__ import annotations

import pytest

from tests.browser.scenario import demo_json, run_foundation
from tests.conftest import Daphne, manage, server_env

pytestmark = pytest.mark.browser


def test_three_phones_follow_the_facilitator(browser, zbarimg, sqlite_server):
    server, env = sqlite_server
    demo = demo_json(env, server.url)
    run_foundation(
        browser,
        facilitator_base=server.url,
        phone_base=server.url,
        demo=demo,
        zbarimg=zbarimg,
        tag="sqlite",
    )


@pytest.mark.services
def test_scale_out_two_daphnes_postgres_and_redis(
    browser, zbarimg, postgres_url, redis_url, tmp_path
):
    env = server_env(DATABASE_URL=postgres_url, REDIS_URL=redis_url)
    manage(env, "migrate", "--noinput", "-v0")
    first = Daphne(env, tmp_path / "daphne-1.log")
    second = Daphne(env, tmp_path / "daphne-2.log")
    try:
        demo = demo_json(env, first.url)
        run_foundation(
            browser,
            facilitator_base=first.url,
            phone_base=second.url,
            demo=demo,
            zbarimg=zbarimg,
            tag="scale-out",
        )
    finally:
        first.stop()
        second.stop()
