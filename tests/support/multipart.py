"""Multipart upload bodies parsed with the standard library's MIME parser."""

from __future__ import annotations

from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP


def file_part(content_type: str, body: bytes) -> Message:
    """The one part of a ``multipart/form-data`` upload, checked to be the ``file`` field."""
    form = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    assert form.get_content_type() == "multipart/form-data"
    parts = form.get_payload()
    assert isinstance(parts, list)
    (part,) = parts
    assert isinstance(part, Message)
    assert part.get_param("name", header="content-disposition") == "file"
    return part


def payload(part: Message) -> bytes:
    """The decoded bytes of one part."""
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    return data
