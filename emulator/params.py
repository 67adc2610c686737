"""Bot API request parameters from JSON, form-encoded and multipart bodies.

Telegram accepts all three, and PTB uses two of them: form-encoded for ordinary calls (every
non-string value JSON-encoded, strings sent raw) and multipart when a file is uploaded. So a
value's type is decided when a method reads it (`Params.int`, `Params.json`, …), never by
guessing from the string: a text of "123" must stay the text "123".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from emulator.errors import bad_request


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content: bytes
    content_type: str | None


class Params:
    """Typed access to one call's parameters, raising Telegram's 400s on bad values."""

    def __init__(self, values: dict[str, Any], files: dict[str, UploadedFile] | None = None) -> None:
        self.values = values
        self.files = files or {}

    def has(self, name: str) -> bool:
        """Whether the parameter was given (and is not null)."""
        return self.values.get(name) is not None or name in self.files

    def get_str(self, name: str, *, required: bool = False) -> str | None:
        """A string parameter."""
        value = self.values.get(name)
        if value is None:
            if required:
                raise bad_request(f"{name} is empty")
            return None
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    def get_int(self, name: str, *, required: bool = False) -> int | None:
        """An integer parameter (given as a number or a numeric string)."""
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        """A boolean parameter; absent means False."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def get_json(self, name: str) -> Any:
        """A JSON-serialized parameter (already parsed when the body was JSON)."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            if name == "reply_markup":
                raise bad_request("can't parse reply keyboard markup JSON object") from None
            raise bad_request(f"can't parse {name} JSON object") from None

    def chat_id(self, name: str = "chat_id") -> int:
        """A chat id; "@username" is only valid for public channels, which the emulator lacks."""
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("@"):
            raise bad_request("chat not found")
        result = self.get_int(name, required=True)
        assert result is not None
        return result


def parse_body(content_type: str, body: bytes, query: dict[str, str]) -> Params:
    """Build `Params` from a request's query string and body, whatever its encoding."""
    values: dict[str, Any] = dict(query)
    files: dict[str, UploadedFile] = {}
    mime = content_type.split(";", 1)[0].strip().lower()
    if not body.strip():
        return Params(values)
    if mime == "application/json":
        try:
            data = json.loads(body)
        except ValueError:
            raise bad_request("can't parse JSON encoded request body") from None
        if not isinstance(data, dict):
            raise bad_request("can't parse JSON encoded request body")
        values.update(data)
    elif mime == "multipart/form-data":
        boundary = _param(content_type, "boundary")
        if not boundary:
            raise bad_request("multipart boundary is missing")
        fields, files = parse_multipart(body, boundary)
        values.update(fields)
    else:
        values.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return Params(values, files)


def parse_multipart(body: bytes, boundary: str) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    """Split a multipart/form-data body into text fields and file parts.

    Written out rather than via `email` or python-multipart: the former mangles UTF-8
    filenames (Chinese file names are common here), the latter is not a dependency.
    """
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    delimiter = b"--" + boundary.encode()
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name = _param(disposition, "name")
        if name is None:
            continue
        filename = _param(disposition, "filename")
        if filename is None:
            fields[name] = data.decode("utf-8", "replace")
        else:
            files[name] = UploadedFile(filename=filename, content=data, content_type=headers.get("content-type"))
    return fields, files


def _param(header: str, key: str) -> str | None:
    match = re.search(rf'(?:^|;)\s*{key}=(?:"((?:[^"\\]|\\.)*)"|([^;]*))', header, re.IGNORECASE)
    if match is None:
        return None
    if match.group(1) is not None:
        # httpx and browsers use the HTML5 form encoding: %22, %0A, %0D and backslash escapes.
        value = re.sub(r"\\(.)", r"\1", match.group(1))
        return value.replace("%22", '"').replace("%0A", "\n").replace("%0D", "\r")
    return match.group(2).strip()
