"""The factory names who changes things: the command, the OS user and the host."""

from __future__ import annotations

import getpass
import socket

import pytest

from sbzoom.factory import actor_of


def test_the_actor_is_the_command_and_user_at_short_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "ann")
    monkeypatch.setattr(socket, "gethostname", lambda: "cron-host.example.com")
    assert actor_of("bookings link") == "bookings link · ann@cron-host"
    monkeypatch.setattr(socket, "gethostname", lambda: "10.0.0.7")
    assert actor_of("listen") == "listen · ann@10.0.0.7"  # an address stays whole


def test_a_user_without_a_name_is_its_uid(monkeypatch: pytest.MonkeyPatch) -> None:
    def nameless() -> str:
        raise KeyError("getpwuid(): uid not found: 1000650000")

    monkeypatch.setattr(getpass, "getuser", nameless)
    monkeypatch.setattr(socket, "gethostname", lambda: "k8s-pod-7")
    assert actor_of("listen").startswith("listen · uid") and actor_of("listen").endswith(
        "@k8s-pod-7"
    )
