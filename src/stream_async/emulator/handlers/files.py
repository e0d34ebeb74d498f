"""File and image endpoints: upload (multipart field ``file``), delete by URL, image
processing, and the route that serves uploads back (§3.8 of the API semantics).

An upload is kept by the emulator and reachable at
``<base URL>uploads/<token>/<file name>?v=1``, where the base URL is the one the upload
request came to (so it works in-process and over a socket) and the query is ignored. Images
are recognised by their content (Pillow), not by the declared content type, and a refused
one is named by the type sniffed from its bytes (:func:`sniff_type`); processing writes a new
image and answers its URL.

With a user token, deleting or processing another user's upload is a 403 (code 17), after
the 404 of a missing one, as the live API answers, and after the 400 of bad processing
parameters or of a URL that names no image; uploads made with a server token are
anyone's.

Documented choices where the live behaviour is not published: ``files/`` and ``images/``
delete any upload; a URL that names no upload is a 404; processing keeps the image format
(PNG when Pillow cannot write it), a missing ``w`` or ``h`` keeps the image's own size, and
sizes above 4,096 pixels are a 400; ``crop`` anchors combine (``top,left`` keeps the top
left corner).
"""

from __future__ import annotations

import io
import re
import uuid
from pathlib import PurePosixPath
from urllib.parse import quote

import anyio.to_thread
from PIL import Image, ImageOps

from stream_async.emulator.errors import ApiError, does_not_exist, field_errors, input_error
from stream_async.emulator.handlers.call import Call, Reply, Upload
from stream_async.emulator.store import Store
from stream_async.emulator.store.records import StoredFile

RESIZE_MODES = ("clip", "crop", "scale", "fill")
CROP_MODES = ("top", "bottom", "left", "right", "center")
MAX_SIDE = 4096
DEFAULT_CONTENT_TYPE = "application/octet-stream"
_UPLOAD_PATH = re.compile(r"/uploads/([0-9a-f]{32})/")


def _check_pixels(image: Image.Image, max_pixels: int) -> None:
    if image.width * image.height > max_pixels:
        raise input_error(
            f"image is too large: {image.width}x{image.height} pixels is more than the limit of"
            f" {max_pixels} pixels ({max_pixels / 1_000_000:g} megapixels)"
        )


def image_type(data: bytes, max_pixels: int) -> str | None:
    """The MIME type of ``data`` if Pillow reads and decodes it as an image, else None.

    The size is checked from the header, before anything is decoded: 400 code 4 when the
    image has more than ``max_pixels`` pixels.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            _check_pixels(image, max_pixels)
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return image.get_format_mimetype() or DEFAULT_CONTENT_TYPE
    except ApiError:
        raise
    except Exception:  # Pillow raises many kinds of errors on data that is not an image
        return None


_SIGNATURES = (
    (b"<?xml", "text/xml"),
    (b"%PDF-", "application/pdf"),
    (b"%!PS-Adobe-", "application/postscript"),
    (b"\xfe\xff", "text/plain"),
    (b"\xff\xfe", "text/plain"),
    (b"\xef\xbb\xbf", "text/plain"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b\x08", "application/x-gzip"),
    (b"OggS\x00", "application/ogg"),
    (b"ID3", "audio/mpeg"),
)
_HTML_TAGS = (
    b"<!doctype html", b"<html", b"<head", b"<script", b"<iframe", b"<h1", b"<div",
    b"<font", b"<table", b"<a", b"<style", b"<title", b"<b", b"<body", b"<br", b"<p",
    b"<!--",
)  # fmt: skip
_IMAGE_SIGNATURES = (
    b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00",
    b"MM\x00*", b"\x00\x00\x01\x00",
)  # fmt: skip
_BINARY_BYTES = frozenset([*range(0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
SNIFF_BYTES = 512


def sniff_type(data: bytes) -> str:
    """The content type the bytes of a refused image are named by (its first 512 bytes).

    A documented choice after the way the server names a refused image (more-endpoints.md
    §8: random bytes declared ``text/plain`` are ``application/octet-stream``): the declared
    type is ignored, and the bytes are sniffed with the rules of the WHATWG MIME sniffing
    standard as Go's ``net/http.DetectContentType`` applies them, reporting the bare type
    (no ``charset``). HTML (a known tag after leading whitespace), XML, PDF, PostScript,
    ZIP, gzip, Ogg and MP3 are recognised by their signatures; bytes that start like an
    image but do not decode (so are not a recognizable image) and bytes with control
    characters are ``application/octet-stream``; anything else is ``text/plain``.
    """
    head = data[:SNIFF_BYTES]
    stripped = head.lstrip(b"\t\n\x0c\r ").lower()
    for tag in _HTML_TAGS:
        if stripped.startswith(tag) and stripped[len(tag) : len(tag) + 1] in (b" ", b">"):
            return "text/html"
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head.startswith(_IMAGE_SIGNATURES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return DEFAULT_CONTENT_TYPE
    if any(byte in _BINARY_BYTES for byte in head):
        return DEFAULT_CONTENT_TYPE
    return "text/plain"


INERT_TYPES = frozenset(
    {
        "text/plain",
        "application/json",
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/bmp",
        "audio/mpeg",
        "audio/ogg",
        "audio/wav",
        "video/mp4",
        "video/webm",
    }
)
"""Content types an upload is served back with as declared; any other type (HTML, SVG,
JavaScript, XML...) is served as ``application/octet-stream``, as an attachment."""


def _keep(store: Store, call: Call, stored: StoredFile) -> str:
    token = uuid.uuid4().hex
    store.save_file(token, stored)
    return f"{call.base_url}uploads/{token}/{quote(stored.filename, safe='')}?v=1"


def _upload(call: Call) -> Upload:
    upload = call.uploads.get("file")
    if upload is None:
        raise field_errors({"file": ["A multipart/form-data field 'file' is required."]})
    return upload


def _file_name(upload: Upload) -> str:
    """The upload's base name; ``file`` when it has none a URL can carry (``.``, ``..``)."""
    name = PurePosixPath(upload.filename.replace("\\", "/")).name
    return "file" if name.strip(".") == "" else name


def upload_file(store: Store, call: Call) -> Reply:
    """POST files/: store any file; answers ``{"file": url}``."""
    upload = _upload(call)
    kind = upload.content_type or DEFAULT_CONTENT_TYPE
    stored = StoredFile(_file_name(upload), kind, upload.data, call.user_id, image=False)
    return 201, {"file": _keep(store, call, stored)}


async def upload_image(store: Store, call: Call) -> Reply:
    """POST images/: store an image (400 code 4 "File type <type> is not supported"
    otherwise, naming the type sniffed from the bytes, see :func:`sniff_type`; 400 when it
    has more pixels than allowed). The image is checked and decoded in a worker thread."""
    upload = _upload(call)
    kind = await anyio.to_thread.run_sync(image_type, upload.data, call.max_image_pixels)
    if kind is None:
        raise input_error(f"File type {sniff_type(upload.data)} is not supported")
    stored = StoredFile(_file_name(upload), kind, upload.data, call.user_id, image=True)
    return 201, {"file": _keep(store, call, stored)}


def _token(store: Store, call: Call) -> str:
    url = call.text("url")
    if not url:
        raise input_error("url is required")
    match = _UPLOAD_PATH.search(url.partition("?")[0])
    if match is None or store.file(match[1]) is None:
        raise does_not_exist(f"no file at {url}")
    return match[1]


def delete_file(store: Store, call: Call) -> Reply:
    """DELETE files/?url= (and images/?url=): forget an upload (404 when it is gone)."""
    token = _token(store, call)
    stored = store.file(token)
    assert stored is not None
    call.check_owner(stored.owner)
    store.delete_file(token)
    return 200, {}


def _side(call: Call, name: str) -> int | None:
    value = call.text(name)
    if value is None:
        return None
    if not value.isdigit() or not 0 < int(value) <= MAX_SIDE:
        raise input_error(f"{name} must be a whole number from 1 to {MAX_SIDE}")
    return int(value)


def _resized(
    image: Image.Image, mode: str, size: tuple[int, int], anchors: set[str]
) -> Image.Image:
    x = 0.0 if "left" in anchors else 1.0 if "right" in anchors else 0.5
    y = 0.0 if "top" in anchors else 1.0 if "bottom" in anchors else 0.5
    if mode == "clip":
        return ImageOps.contain(image, size)
    if mode == "crop":
        return ImageOps.fit(image, size, centering=(x, y))
    if mode == "scale":
        return image.resize(size)
    return ImageOps.pad(image, size, centering=(x, y))


def _process(
    data: bytes, kind: str, mode: str, size: tuple[int | None, int | None], anchors: set[str]
) -> tuple[bytes, str]:
    """The resized image's bytes and type (PNG when Pillow cannot write the original's)."""
    with Image.open(io.BytesIO(data)) as image:
        width, height = size
        result = _resized(image, mode, (width or image.width, height or image.height), anchors)
        output = io.BytesIO()
        try:
            result.save(output, format=image.format)
        except (OSError, KeyError, ValueError):
            output = io.BytesIO()
            result.save(output, format="PNG")
            kind = "image/png"
    return output.getvalue(), kind


async def process_image(store: Store, call: Call) -> Reply:
    """GET images/ (or images/process/): a resized copy of an uploaded image.

    ``resize``: ``clip`` (fit inside, the default), ``crop`` (fill, then cut), ``scale``
    (stretch) or ``fill`` (fit inside, then pad); ``crop``: anchors from ``top``, ``bottom``,
    ``left``, ``right``, ``center`` (default); ``w``/``h``: positive whole numbers. The image
    is decoded and resized in a worker thread.
    """
    mode = call.text("resize") or "clip"
    if mode not in RESIZE_MODES:
        raise input_error(f"resize must be one of {', '.join(RESIZE_MODES)}")
    anchors = set(call.values("crop")) or {"center"}
    if not anchors <= set(CROP_MODES):
        raise input_error(f"crop must be a list of {', '.join(CROP_MODES)}")
    size = (_side(call, "w"), _side(call, "h"))
    original = store.file(_token(store, call))
    assert original is not None
    if not original.image:
        raise input_error("the url does not name an image")
    call.check_owner(original.owner)
    data, kind = await anyio.to_thread.run_sync(
        _process, original.data, original.content_type, mode, size, anchors
    )
    stored = StoredFile(original.filename, kind, data, call.user_id, image=True)
    return 200, {"file": _keep(store, call, stored)}
