"""Where requests go: regions, base URLs and the STREAM_* environment."""

from __future__ import annotations

import pytest

from stream_async import AsyncStreamClient, StreamConfigurationError
from stream_async._config import parse_stream_url, service_roots, settings_from_env


def test_default_hosts() -> None:
    assert service_roots(location=None, base_url=None) == {
        "api": "https://api.stream-io-api.com/api/v1.0/",
        "analytics": "https://analytics.stream-io-api.com/analytics/v1.0/",
        "personalization": "https://personalization.stream-io-api.com/personalization/v1.0/",
    }


@pytest.mark.parametrize("location", ["us-east", "eu-west", "singapore", "tokyo", "qa"])
def test_location_hosts(location: str) -> None:
    roots = service_roots(location=location, base_url=None)
    assert roots["api"] == f"https://{location}-api.stream-io-api.com/api/v1.0/"
    assert roots["analytics"] == f"https://{location}.stream-io-api.com/analytics/v1.0/"
    assert roots["personalization"] == (
        f"https://{location}-personalization.stream-io-api.com/personalization/v1.0/"
    )


@pytest.mark.parametrize(
    ("base_url", "api_root"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/api/v1.0/"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/api/v1.0/"),
        ("https://proxy.example/stream/", "https://proxy.example/stream/api/v1.0/"),
        ("http://myhost:9000", "http://myhost:9000/api/v1.0/"),
    ],
)
def test_base_url_keeps_host_and_prefix(base_url: str, api_root: str) -> None:
    roots = service_roots(location="us-east", base_url=base_url)
    assert roots["api"] == api_root
    assert roots["analytics"] == api_root.replace("/api/", "/analytics/")


@pytest.mark.parametrize(
    "base_url", ["127.0.0.1:8000", "ftp://host", "http://", "http://h/?x=1", "http://h/#f"]
)
def test_bad_base_url(base_url: str) -> None:
    with pytest.raises(StreamConfigurationError, match="base_url"):
        service_roots(location=None, base_url=base_url)


@pytest.mark.parametrize("location", ["", "us east", "x.y", "-a"])
def test_bad_location(location: str) -> None:
    with pytest.raises(StreamConfigurationError, match="location"):
        service_roots(location=location, base_url=None)


def test_stream_url_with_region() -> None:
    s = parse_stream_url("https://key:sec%40ret@us-east.stream-io-api.com/?app_id=42")
    assert (s.api_key, s.api_secret, s.app_id, s.location, s.base_url) == (
        "key",
        "sec@ret",
        "42",
        "us-east",
        None,
    )


@pytest.mark.parametrize(
    ("host", "location"),
    [
        ("api.stream-io-api.com", None),
        ("stream-io-api.com", None),
        ("us-east-api.stream-io-api.com", "us-east"),
        ("dublin.stream-io-api.com", "dublin"),
    ],
)
def test_stream_url_hosts(host: str, location: str | None) -> None:
    assert parse_stream_url(f"https://k:s@{host}/?app_id=1").location == location


def test_stream_url_other_host_becomes_base_url() -> None:
    s = parse_stream_url("http://k:s@127.0.0.1:8123")
    assert (s.base_url, s.location, s.app_id) == ("http://127.0.0.1:8123", None, None)
    assert parse_stream_url("http://k@localhost").api_secret is None


@pytest.mark.parametrize("url", ["not a url", "https://stream-io-api.com/", "ftp://k:s@h/"])
def test_bad_stream_url(url: str) -> None:
    with pytest.raises(StreamConfigurationError, match="STREAM_URL"):
        parse_stream_url(url)


def test_env_precedence_base_url_over_stream_url_over_region() -> None:
    env = {
        "STREAM_URL": "https://k:s@eu-west.stream-io-api.com/?app_id=7",
        "STREAM_REGION": "us-east",
        "STREAM_BASE_URL": "http://127.0.0.1:9",
    }
    assert settings_from_env(env).base_url == "http://127.0.0.1:9"
    assert settings_from_env(env).location is None
    del env["STREAM_BASE_URL"]
    assert settings_from_env(env).location == "eu-west"
    env["STREAM_URL"] = "https://k:s@api.stream-io-api.com/?app_id=7"
    assert settings_from_env(env).location == "us-east"


def test_env_key_variables_win_over_stream_url() -> None:
    s = settings_from_env(
        {
            "STREAM_URL": "https://k:s@api.stream-io-api.com/?app_id=7",
            "STREAM_API_KEY": "k2",
            "STREAM_API_SECRET": "s2",
            "STREAM_APP_ID": "8",
        }
    )
    assert (s.api_key, s.api_secret, s.app_id) == ("k2", "s2", "8")


def test_from_env_builds_client() -> None:
    client = AsyncStreamClient.from_env(
        {"STREAM_API_KEY": "k", "STREAM_API_SECRET": "s", "STREAM_REGION": "singapore"}
    )
    assert client._transport.roots["api"] == "https://singapore-api.stream-io-api.com/api/v1.0/"
    assert client.location == "singapore"


def test_from_env_explicit_arguments_win() -> None:
    env = {"STREAM_API_KEY": "k", "STREAM_API_SECRET": "s", "STREAM_BASE_URL": "http://h:1"}
    client = AsyncStreamClient.from_env(env, location="eu-west", timeout=9)
    assert client._transport.roots["api"] == "https://eu-west-api.stream-io-api.com/api/v1.0/"
    assert client.timeout == 9
    assert AsyncStreamClient.from_env(env, api_key="other").api_key == "other"


def test_from_env_client_side_token_replaces_secret() -> None:
    client = AsyncStreamClient.from_env(
        {"STREAM_API_KEY": "k", "STREAM_API_SECRET": "s"}, token="user-token"
    )
    assert client._transport.client_side


def test_from_env_missing_credentials_names_the_variables() -> None:
    with pytest.raises(StreamConfigurationError) as info:
        AsyncStreamClient.from_env({"STREAM_API_KEY": "k"})
    for name in ("STREAM_API_KEY", "STREAM_API_SECRET", "STREAM_URL"):
        assert name in str(info.value)
