"""The rate-limit store: chosen by the profile, and an unreachable Redis never fails a request."""

from __future__ import annotations

import pytest

from archive.config import ConfigError, load_settings
from archive.ratelimit import storage_url
from tests.conftest import running_app


def test_the_store_follows_the_settings():
    assert storage_url({"QUEUE_URL": "sqlite:/x/queue.db"}) == "memory://"
    assert storage_url({"QUEUE_URL": "redis://cache:6379/2"}) == "redis://cache:6379/2"
    assert storage_url({"QUEUE_URL": "redis://cache:6379/2", "RATELIMIT_STORAGE_URL": "memory://"}) == "memory://"


@pytest.mark.parametrize(("name", "value"), [("ARCHIVE_SIGNIN_LIMIT", "ten a minute"),
                                             ("ARCHIVE_RATELIMIT_STORAGE_URL", "memcached://x")])
def test_malformed_limits_stop_start_up(name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value})


def test_limits_hold_in_memory_while_redis_is_unreachable(app_config, profile):
    config = {**app_config, "RATELIMIT_STORAGE_URL": "redis://127.0.0.1:1/0", "SIGNIN_LIMIT": "2 per minute"}
    for application in running_app(config, profile):
        client = application.test_client()
        statuses = [client.post("/login", data={"email": "x@example.org", "password": "p"}).status_code
                    for _ in range(4)]
        assert 500 not in statuses
        assert statuses[:2] == [401, 401] and statuses[-1] == 429
