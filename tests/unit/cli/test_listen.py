"""`sbzoom listen --print-urls / --rotate-secret / --zoom-secret-stdin`: the setup steps."""

from __future__ import annotations

import json

from tests.conftest import Home


def urls(home: Home, *args: str, **env: str) -> dict[str, object]:
    result = home.run("listen", "--print-urls", "--json", *args, extra_env=env)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_print_urls_makes_the_callback_secret_once_and_keeps_it(home: Home) -> None:
    first = urls(home)
    callback = str(first["simplybook_callback_url"])
    assert callback.startswith("http://127.0.0.1:8780/simplybook/")
    secret = callback.rsplit("/", 1)[1]
    assert len(secret) >= 40  # 256 random bits, URL-safe
    assert first["zoom_webhook_url"] == "http://127.0.0.1:8780/zoom/webhook"
    assert first["zoom_webhook_secret_set"] is False
    assert urls(home) == first  # the same secret next time
    assert secret not in home.config_path.read_text() if home.config_path.exists() else True


def test_public_url_and_port_shape_the_urls(home: Home) -> None:
    assert (
        home.run("config", "set", "listen.public_url", "https://hooks.example.com/").exit_code == 0
    )
    got = urls(home, "--port", "9999")
    assert str(got["simplybook_callback_url"]).startswith("https://hooks.example.com/simplybook/")
    assert got["zoom_webhook_url"] == "https://hooks.example.com/zoom/webhook"


def test_text_output_names_where_to_paste(home: Home) -> None:
    result = home.run("listen", "--print-urls")
    assert result.exit_code == 0
    assert "SimplyBook callback URL" in result.stdout and "/zoom/webhook" in result.stdout
    assert "Custom Features" in result.stderr and "--zoom-secret-stdin" in result.stderr


def test_rotate_secret_changes_the_url(home: Home) -> None:
    before = urls(home)["simplybook_callback_url"]
    result = home.run("listen", "--rotate-secret", "--json")
    assert result.exit_code == 0, result.stderr
    after = json.loads(result.stdout)["simplybook_callback_url"]
    assert after != before and "old URL now answers 404" in result.stderr
    assert urls(home)["simplybook_callback_url"] == after


def test_env_secret_wins_and_cannot_be_rotated(home: Home) -> None:
    env = {"SBZOOM_CALLBACK_SECRET": "c" * 32}
    assert str(urls(home, **env)["simplybook_callback_url"]).endswith("/simplybook/" + "c" * 32)
    result = home.run("listen", "--rotate-secret", extra_env=env)
    assert result.exit_code == 2
    assert "SBZOOM_CALLBACK_SECRET" in result.stderr and "c" * 32 not in result.stderr
    short = home.run("listen", "--print-urls", extra_env={"SBZOOM_CALLBACK_SECRET": "short"})
    assert short.exit_code == 3 and "too short" in short.stderr


def test_zoom_secret_comes_from_stdin_only_and_is_kept(home: Home) -> None:
    result = home.run("listen", "--zoom-secret-stdin", stdin="zoomSecretToken123\n")
    assert result.exit_code == 0, result.stderr
    assert "zoomSecretToken123" not in result.stdout + result.stderr
    assert urls(home)["zoom_webhook_secret_set"] is True
    empty = home.run("listen", "--zoom-secret-stdin", stdin="")
    assert empty.exit_code == 2 and "stdin" in empty.stderr


def test_listen_without_online_services_says_what_to_do(home: Home) -> None:
    result = home.run("listen", "--port", "0")
    assert result.exit_code == 3
    assert "enable-online" in result.stderr
