"""``client.files`` and ``client.images``: uploads to Stream's CDN, their deletion, and
resized or cropped copies of images."""

from __future__ import annotations

import io
import mimetypes
import os
import re
from collections.abc import Sequence
from typing import IO, Any, ClassVar, Literal

import anyio
from typing_extensions import Unpack

from stream_async import _validation as check
from stream_async._auth import Scope
from stream_async._transport import QueryValue
from stream_async.errors import StreamValidationError
from stream_async.models._base import EmptyResponse
from stream_async.models.files import FileResponse
from stream_async.resources import _checks
from stream_async.resources._base import RequestOptions, Resource

FileInput = bytes | bytearray | str | os.PathLike[str] | IO[bytes]
"""What :meth:`Files.upload` takes: the bytes themselves, a path to a file, or a file
object opened in binary mode."""

Resize = Literal["clip", "crop", "scale", "fill"]
Crop = Literal["top", "bottom", "left", "right", "center"]

RESIZE_MODES: tuple[str, ...] = ("clip", "crop", "scale", "fill")
CROP_MODES: tuple[str, ...] = ("top", "bottom", "left", "right", "center")
DEFAULT_CONTENT_TYPE = "application/octet-stream"

_CONTENT_TYPE = re.compile(r"[\w!#$&^.+-]+/[\w!#$&^.+-]+(;[^\r\n]*)?")
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


class Files(Resource):
    """``client.files``: upload any file, delete it by URL. Signed with ``files`` tokens
    (action by HTTP method); uploads get the client's ``upload_timeout``."""

    _scope = Scope("files")
    _root: ClassVar[str] = "files"

    async def upload(
        self,
        file: FileInput,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> FileResponse:
        """Upload ``file`` and return its CDN URL (``.file``).

        ``file`` is bytes, a path (``str`` or ``os.PathLike``: the file is opened, streamed
        and closed, never read whole into memory) or a binary file object (streamed from
        its start and left open). ``filename`` defaults to the path's or file object's name
        (``"file"`` for bytes); ``content_type`` to the type guessed from the filename, or
        ``application/octet-stream``.
        """
        name, kind = _describe(file, filename, content_type)
        self._check_type(kind)
        if isinstance(file, (str, os.PathLike)):
            stream = await anyio.to_thread.run_sync(_open, file)
            try:
                return await self._send(name, stream, kind, options)
            finally:
                stream.close()
        return await self._send(
            name, bytes(file) if isinstance(file, bytearray) else file, kind, options
        )

    async def _send(
        self, name: str, content: bytes | IO[bytes], kind: str, options: RequestOptions
    ) -> FileResponse:
        return await self._request(
            "POST",
            f"{self._root}/",
            FileResponse,
            files={"file": (name, content, kind)},
            timeout=self._client.upload_timeout,
            options=options,
        )

    def _check_type(self, content_type: str) -> None:
        """Any content type is fine for a file."""

    async def delete(self, url: str, **options: Unpack[RequestOptions]) -> EmptyResponse:
        """Delete an uploaded file by the URL its upload returned."""
        return await self._request(
            "DELETE",
            f"{self._root}/",
            EmptyResponse,
            params={"url": _checks.http_url(url)},
            options=options,
        )


class Images(Files):
    """``client.images``: upload images (an ``image/*`` content type), delete them, and get
    resized or cropped copies with :meth:`process`."""

    _root: ClassVar[str] = "images"

    def _check_type(self, content_type: str) -> None:
        if not content_type.startswith("image/"):
            raise StreamValidationError(
                "content_type",
                f"must be an image type (image/...), got {content_type!r}; give a filename "
                "with an image extension or content_type=",
            )

    async def process(
        self,
        url: str,
        *,
        resize: Resize | None = None,
        crop: Crop | Sequence[Crop] | None = None,
        w: int | None = None,
        h: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> FileResponse:
        """A processed copy of an uploaded image, ``w`` x ``h`` pixels (positive integers);
        returns the copy's URL (``.file``).

        ``resize`` is how the image is fitted (``"clip"``, the server's default,
        ``"crop"``, ``"scale"`` or ``"fill"``); ``crop`` which part is kept when cropping
        (``"center"``, the default, or one or more of ``"top"``, ``"bottom"``, ``"left"``,
        ``"right"``).
        """
        params: dict[str, QueryValue] = {"url": _checks.http_url(url)}
        if resize is not None:
            if resize not in RESIZE_MODES:
                raise StreamValidationError("resize", f"must be one of {', '.join(RESIZE_MODES)}")
            params["resize"] = resize
        if crop is not None:
            modes: list[Any] = (
                [crop] if isinstance(crop, str) else _checks.list_of(crop, "crop", "crop modes")
            )
            if not modes or any(mode not in CROP_MODES for mode in modes):
                raise StreamValidationError(
                    "crop", f"must be one or more of {', '.join(CROP_MODES)}"
                )
            params["crop"] = modes
        if w is not None:
            params["w"] = check.int_range(w, "w", low=1)
        if h is not None:
            params["h"] = check.int_range(h, "h", low=1)
        return await self._request("GET", "images/", FileResponse, params=params, options=options)


def _open(location: str | os.PathLike[str]) -> IO[bytes]:
    return open(location, "rb")


def _describe(file: object, filename: object, content_type: object) -> tuple[str, str]:
    """The filename and content type of an upload, checked."""
    if isinstance(file, (bytes, bytearray)):
        default_name: object = "file"
    elif isinstance(file, (str, os.PathLike)):
        location = os.fspath(file)
        if not isinstance(location, str) or not os.path.isfile(location):
            raise StreamValidationError("file", "must be the path of an existing file")
        default_name = os.path.basename(location)
    elif isinstance(file, io.TextIOBase):
        raise StreamValidationError("file", "must be opened in binary mode ('rb')")
    elif callable(getattr(file, "read", None)):
        own = getattr(file, "name", None)
        default_name = os.path.basename(own) if isinstance(own, str) and own else "file"
    else:
        raise StreamValidationError(
            "file", "must be bytes, a path, or a file object opened in binary mode"
        )
    name = default_name if filename is None else filename
    if not isinstance(name, str) or not name or _BAD_NAME.search(name):
        raise StreamValidationError(
            "filename", "must be a non-empty file name, without path separators"
        )
    if content_type is None:
        return name, mimetypes.guess_type(name)[0] or DEFAULT_CONTENT_TYPE
    if not isinstance(content_type, str) or not _CONTENT_TYPE.fullmatch(content_type):
        raise StreamValidationError("content_type", "must be a MIME type such as 'image/png'")
    return name, content_type
