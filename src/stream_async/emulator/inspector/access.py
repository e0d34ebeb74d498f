"""Who may see the inspector, decided by the address the emulator is bound to.

Bound to a loopback address (``127.0.0.0/8``, ``::1`` or ``localhost``) the inspector is
open: only this machine can reach it. Bound to any other address (``0.0.0.0`` included)
every inspector page asks for HTTP Basic credentials, the emulator's API key as the user name
and its secret as the password, whoever connects; both are compared in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from stream_async.emulator.config import EmulatorConfig

CHALLENGE = 'Basic realm="stream-async emulator inspector", charset="UTF-8"'


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) only accepts connections from here."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def authorized(config: EmulatorConfig, authorization: str | None) -> bool:
    """Whether a request with this ``Authorization`` header value may see the inspector."""
    if is_loopback(config.host):
        return True
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    key_ok = hmac.compare_digest(user.encode(), config.api_key.encode())
    secret_ok = hmac.compare_digest(password.encode(), config.api_secret.encode())
    return key_ok and secret_ok


class InspectorGate:
    """ASGI middleware in front of the inspector's pages: answers 401 with
    ``WWW-Authenticate: Basic`` unless :func:`authorized`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request, or refuse it."""
        config: EmulatorConfig = scope["app"].state.emulator.config
        headers = dict(scope["headers"])
        authorization = headers.get(b"authorization", b"").decode("latin-1") or None
        if scope["type"] == "http" and not authorized(config, authorization):
            response = PlainTextResponse(
                "The inspector needs the emulator's API key (user) and secret (password).",
                status_code=401,
                headers={"WWW-Authenticate": CHALLENGE},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
