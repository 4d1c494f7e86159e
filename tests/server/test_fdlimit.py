"""The open-files limit is raised to fit max_connections, and a shortfall is logged."""

from __future__ import annotations

import logging
import resource
from collections.abc import Iterator

import pytest

from indiflask.server import Server
from indiflask.server.fdlimit import FD_RESERVE, ensure_fd_limit
from indiflask.server.specs import DEFAULT_MAX_CONNECTIONS


@pytest.fixture
def restore_limit() -> Iterator[tuple[int, int]]:
    saved = resource.getrlimit(resource.RLIMIT_NOFILE)
    yield saved
    resource.setrlimit(resource.RLIMIT_NOFILE, saved)


def test_default_is_1024() -> None:
    assert DEFAULT_MAX_CONNECTIONS == 1024
    assert Server(port=0).max_connections == 1024


def test_soft_limit_is_raised_towards_the_hard_limit(restore_limit: tuple[int, int]) -> None:
    _, hard = restore_limit
    if hard != resource.RLIM_INFINITY and hard < 300:
        pytest.skip("hard open-files limit too small to test")
    resource.setrlimit(resource.RLIMIT_NOFILE, (200, hard))
    assert ensure_fd_limit(150) == 150 + FD_RESERVE
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == 150 + FD_RESERVE


def test_a_large_enough_limit_is_left_alone(restore_limit: tuple[int, int]) -> None:
    soft, _ = restore_limit
    assert ensure_fd_limit(1) == soft
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == soft


def test_a_hard_limit_too_small_is_logged(
    restore_limit: tuple[int, int], caplog: pytest.LogCaptureFixture
) -> None:
    _, hard = restore_limit
    if hard == resource.RLIM_INFINITY:
        pytest.skip("no hard open-files limit")
    with caplog.at_level(logging.WARNING, logger="indiflask.server"):
        assert ensure_fd_limit(hard + 10) == hard
    assert "open-files limit" in caplog.text
