"""Client settings: where requests go, how long they may take, and reading them from the
environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit, urlunsplit

from stream_async.errors import StreamConfigurationError

DEFAULT_TIMEOUT: Final = 3.0
"""Seconds per attempt for ordinary calls, as the API reference recommends."""

DEFAULT_UPLOAD_TIMEOUT: Final = 60.0
"""Seconds per attempt for file and image uploads, which move many more bytes."""

DEFAULT_MAX_CONNECTIONS: Final = 100

DEFAULT_MAX_RETRIES: Final = 2

DEFAULT_TOTAL_TIMEOUT: Final = 30.0
"""Seconds a call may take with all its retries and the waits between them."""

API_VERSION: Final = "v1.0"
SERVICES: Final = ("api", "analytics", "personalization")
STREAM_DOMAIN: Final = "stream-io-api.com"

ENV_VARS: Final = (
    "STREAM_API_KEY",
    "STREAM_API_SECRET",
    "STREAM_APP_ID",
    "STREAM_REGION",
    "STREAM_BASE_URL",
    "STREAM_URL",
)

_LOCATION = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")


def _base_url_parts(base_url: str) -> SplitResult:
    """``base_url`` split, once checked: an http(s) origin with an optional path, and no
    credentials, query or fragment. Errors show the URL without its user info, query or
    fragment, so a secret put there never reaches a message or a log."""
    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018 - a bad port raises here, not at the first request
    except (TypeError, ValueError, AttributeError):
        raise StreamConfigurationError(
            "base_url must be an http(s) origin such as 'http://127.0.0.1:8000'"
        ) from None
    if parts.username is not None or parts.password is not None:
        raise StreamConfigurationError(
            "base_url must not carry credentials (user:password@): give api_key and "
            "api_secret (or STREAM_URL) instead"
        )
    if parts.scheme not in ("http", "https") or not parts.netloc:
        shown = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        raise StreamConfigurationError(
            f"base_url must be an http(s) origin such as 'http://127.0.0.1:8000', got {shown!r}"
        )
    if parts.query or parts.fragment:
        raise StreamConfigurationError("base_url must not carry a query or a fragment")
    return parts


def service_roots(*, location: str | None, base_url: str | None) -> dict[str, str]:
    """The root URL (ending in ``/``) of each service.

    ``base_url`` is an origin plus an optional path prefix; the service and version are
    always appended, so any host works (an emulator, a proxy). Otherwise Stream's hosts,
    with ``location`` as the region label when given.
    """
    if base_url is not None:
        parts = _base_url_parts(base_url)
        prefix = parts.path.rstrip("/")
        origin = f"{parts.scheme}://{parts.netloc}{prefix}"
        return {service: f"{origin}/{service}/{API_VERSION}/" for service in SERVICES}
    if location is None:
        return {
            service: f"https://{service}.{STREAM_DOMAIN}/{service}/{API_VERSION}/"
            for service in SERVICES
        }
    if not _LOCATION.fullmatch(location):
        raise StreamConfigurationError(
            f"location must be a region label such as 'us-east', got {location!r}"
        )
    return {
        "api": f"https://{location}-api.{STREAM_DOMAIN}/api/{API_VERSION}/",
        "analytics": f"https://{location}.{STREAM_DOMAIN}/analytics/{API_VERSION}/",
        "personalization": (
            f"https://{location}-personalization.{STREAM_DOMAIN}/personalization/{API_VERSION}/"
        ),
    }


@dataclass(frozen=True)
class EnvSettings:
    """What the environment says, before explicit arguments are applied."""

    api_key: str | None = None
    api_secret: str | None = field(default=None, repr=False)
    app_id: str | None = None
    location: str | None = None
    base_url: str | None = None


def parse_stream_url(url: str) -> EnvSettings:
    """Read ``STREAM_URL`` (``https://key:secret@us-east.stream-io-api.com/?app_id=1``).

    A Stream host gives a region (its first label, minus an ``-api`` suffix; none for
    ``api``); any other host becomes the base URL, so ``http://k:s@127.0.0.1:8000``
    reaches a local server.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or not parts.username:
        raise StreamConfigurationError(
            "STREAM_URL must look like https://<key>:<secret>@<region>.stream-io-api.com/?app_id=<id>"
        )
    app_ids = parse_qs(parts.query).get("app_id")
    host = parts.hostname
    location: str | None = None
    base_url: str | None = None
    if host == STREAM_DOMAIN or host.endswith("." + STREAM_DOMAIN):
        label = host[: -len(STREAM_DOMAIN)].rstrip(".").split(".")[0]
        label = label.removesuffix("-api")
        location = label if label not in ("", "api") else None
    else:
        port = f":{parts.port}" if parts.port is not None else ""
        base_url = f"{parts.scheme}://{host}{port}"
    return EnvSettings(
        api_key=unquote(parts.username),
        api_secret=unquote(parts.password) if parts.password else None,
        app_id=app_ids[0] if app_ids else None,
        location=location,
        base_url=base_url,
    )


def settings_from_env(environ: Mapping[str, str] | None = None) -> EnvSettings:
    """Merge the ``STREAM_*`` variables: ``STREAM_BASE_URL``, then ``STREAM_URL``, then
    ``STREAM_REGION`` decide where requests go; the explicit key variables win over the
    credentials inside ``STREAM_URL``."""
    env = os.environ if environ is None else environ
    from_url = parse_stream_url(env["STREAM_URL"]) if env.get("STREAM_URL") else EnvSettings()
    base_url = env.get("STREAM_BASE_URL") or from_url.base_url
    location = None if base_url else (from_url.location or env.get("STREAM_REGION") or None)
    return EnvSettings(
        api_key=env.get("STREAM_API_KEY") or from_url.api_key,
        api_secret=env.get("STREAM_API_SECRET") or from_url.api_secret,
        app_id=env.get("STREAM_APP_ID") or from_url.app_id,
        location=location,
        base_url=base_url,
    )
