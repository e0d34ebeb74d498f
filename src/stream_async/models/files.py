"""Uploaded files and images, and the Open Graph data scraped from a web page."""

from __future__ import annotations

from pydantic import Field

from stream_async.models._base import StreamModel, StreamResponse


class FileResponse(StreamResponse):
    """A file's URL on Stream's CDN: what an upload and an image process return."""

    file: str

    @property
    def url(self) -> str:
        """The same as ``file``: the URL of the uploaded (or processed) file."""
        return self.file


class OgImage(StreamModel):
    """An ``og:image`` of a page."""

    image: str | None = None
    url: str | None = None
    secure_url: str | None = None
    width: int | str | None = None
    height: int | str | None = None
    type: str | None = None
    alt: str | None = None


class OgVideo(StreamModel):
    """An ``og:video`` of a page."""

    video: str | None = None
    url: str | None = None
    secure_url: str | None = None
    width: int | str | None = None
    height: int | str | None = None
    type: str | None = None


class OgAudio(StreamModel):
    """An ``og:audio`` of a page."""

    audio: str | None = None
    url: str | None = None
    secure_url: str | None = None
    type: str | None = None


class OpenGraph(StreamResponse):
    """The Open Graph fields of a web page; a field the page does not set is ``None``."""

    title: str | None = None
    type: str | None = None
    url: str | None = None
    site: str | None = None
    site_name: str | None = None
    description: str | None = None
    determiner: str | None = None
    locale: str | None = None
    favicon: str | None = None
    original_url: str | None = None
    images: list[OgImage] = Field(default_factory=list)
    videos: list[OgVideo] = Field(default_factory=list)
    audios: list[OgAudio] = Field(default_factory=list)
