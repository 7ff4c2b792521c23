"""The Redactor: secrets masked by value (also URL-encoded), by key, in URLs and bodies."""

from __future__ import annotations

from sbzoom.clients.http import Redactor


def test_registered_secret_is_masked_anywhere_also_url_encoded() -> None:
    redactor = Redactor()
    redactor.add("s3cr+t/value=")
    assert redactor.scrub("a s3cr+t/value= b s3cr%2Bt%2Fvalue%3D c") == "a *** b *** c"
    redactor.add("short")  # too short to mask safely everywhere
    assert redactor.scrub("short") == "short"


def test_basic_credentials_are_registered() -> None:
    import base64

    redactor = Redactor()
    redactor.add_basic("client-id", "the-client-secret")
    pair = base64.b64encode(b"client-id:the-client-secret").decode()
    assert redactor.scrub(f"Basic {pair} the-client-secret") == "Basic *** ***"


def test_long_bodies_are_masked_before_they_are_shortened() -> None:
    redactor = Redactor()
    secret = "x-SECRET-" + "s" * 40
    redactor.add(secret)
    body = ("a" * 1990 + secret).encode()
    assert "x-SECRET" not in redactor.body(b'{"note": "' + body + b'"}', "application/json")
    assert "x-SECRET" not in redactor.body(b"a" * 290 + secret.encode(), "text/plain")


def test_urls_inside_json_lose_their_secrets_but_keep_paging() -> None:
    body = b'{"u": "https://x.test/y?next_page_token=abc&pwd=sec&zak=z1&tk=t1"}'
    shown = Redactor().body(body, "application/json")
    assert "next_page_token=abc" in shown
    assert "sec" not in shown and "z1" not in shown and "t1" not in shown
