"""Domain errors and invalid requests as HTTP responses, mapped once for the whole app.

`FupinError` subclasses get a status by class and their Chinese message as `detail`. A request
that does not validate keeps FastAPI's 422 shape (`detail[]` with `loc`, `type`), with `msg` in
Chinese naming the field, so a client can point at the field and a person can read it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from bot.http import texts
from services.errors import Conflict, Forbidden, FupinError, InvalidInput, NotFound, Unauthorized

#: Status of each domain error class; the first match in order wins (subclasses first).
STATUS_BY_ERROR: list[tuple[type[FupinError], int]] = [
    (Unauthorized, status.HTTP_401_UNAUTHORIZED),
    (Forbidden, status.HTTP_403_FORBIDDEN),
    (NotFound, status.HTTP_404_NOT_FOUND),
    (Conflict, status.HTTP_409_CONFLICT),
    (InvalidInput, status.HTTP_422_UNPROCESSABLE_CONTENT),
]

#: The `WWW-Authenticate` challenge sent with every 401 (RFC 6750).
BEARER_CHALLENGE = f'Bearer realm="{texts.AUTH_REALM}"'

#: Pydantic error types and the Chinese sentence for each.
_MESSAGES = {
    "missing": texts.FIELD_MISSING,
    "enum": texts.FIELD_NOT_IN_CHOICES,
    "literal_error": texts.FIELD_NOT_IN_CHOICES,
    "int_parsing": texts.FIELD_NOT_INTEGER,
    "int_type": texts.FIELD_NOT_INTEGER,
    "int_from_float": texts.FIELD_NOT_INTEGER,
    "float_parsing": texts.FIELD_NOT_NUMBER,
    "float_type": texts.FIELD_NOT_NUMBER,
    "bool_parsing": texts.FIELD_NOT_BOOL,
    "bool_type": texts.FIELD_NOT_BOOL,
    "date_parsing": texts.FIELD_NOT_DATE,
    "date_from_datetime_parsing": texts.FIELD_NOT_DATE,
    "list_type": texts.FIELD_NOT_LIST,
    "string_too_short": texts.FIELD_TOO_SHORT,
    "too_short": texts.FIELD_TOO_SHORT,
    "string_too_long": texts.FIELD_TOO_LONG,
    "too_long": texts.FIELD_TOO_LONG,
    "greater_than": texts.FIELD_TOO_SMALL,
    "greater_than_equal": texts.FIELD_TOO_SMALL,
    "less_than": texts.FIELD_TOO_LARGE,
    "less_than_equal": texts.FIELD_TOO_LARGE,
}


def field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """`body.members.0.school_stage` → `members.0.school_stage`; the body itself is named as such."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(parts) or texts.BODY


def chinese_message(error: dict[str, Any]) -> str:
    """One Chinese sentence for one pydantic error, naming its field."""
    field = field_name(error.get("loc", ()))
    template = _MESSAGES.get(error.get("type", ""), texts.FIELD_INVALID)
    expected = (error.get("ctx") or {}).get("expected", "")
    return template.format(field=field, expected=expected, reason=error.get("msg", ""))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail = []
    for error in exc.errors():
        detail.append({"loc": list(error.get("loc", ())), "type": error.get("type"), "msg": chinese_message(error)})
    return JSONResponse(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": detail})


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FupinError)
    code = next((s for cls, s in STATUS_BY_ERROR if isinstance(exc, cls)), status.HTTP_400_BAD_REQUEST)
    content: dict[str, Any] = {"detail": exc.message}
    if isinstance(exc, InvalidInput):
        if exc.choices:
            content["choices"] = list(exc.choices)
        if exc.problems:
            content["problems"] = list(exc.problems)
    headers = {"WWW-Authenticate": BEARER_CHALLENGE} if code == status.HTTP_401_UNAUTHORIZED else None
    return JSONResponse(status_code=code, content=content, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Map domain errors and invalid requests for every route of `app`."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(FupinError, _domain_error)
