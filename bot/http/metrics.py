"""`/metrics`: the process's metrics (`bot.metrics`) in Prometheus's text format, for a scraper.

Who may read it. Metrics name no person, but they tell a stranger how busy the office is and
whether the bot is down, so they are not public: with `FUPIN_METRICS_TOKEN` set, a scraper sends
it as a bearer token (Prometheus's `authorization` setting) from anywhere; without it only a
scraper on this machine is answered. A request that came through a reverse proxy (it carries a
forwarding header) does not count as this machine's, even though the proxy connects from it:
otherwise the proxy in front of the webhook would publish `/metrics` to the internet.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request, Response
from pydantic import SecretStr

from bot.http import texts
from bot.metrics import CONTENT_TYPE, Metrics
from services.config import is_loopback
from services.errors import Forbidden, Unauthorized

#: Headers a reverse proxy adds: a request carrying one came from elsewhere.
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


def _check_access(request: Request, token: SecretStr | None) -> None:
    """Let the scraper through, or raise (401 with a wrong token, 403 from elsewhere without one)."""
    if token is not None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        expected = token.get_secret_value()
        if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip().encode(), expected.encode()):
            raise Unauthorized(texts.METRICS_TOKEN_WRONG)
        return
    client = request.client.host if request.client is not None else ""
    if not is_loopback(client) or any(header in request.headers for header in FORWARDING_HEADERS):
        raise Forbidden(texts.METRICS_LOOPBACK_ONLY)


def create_metrics_router(metrics: Metrics, *, token: SecretStr | None) -> APIRouter:
    """A router with `GET /metrics`, reading the database's figures at each scrape."""
    router = APIRouter(tags=["operations"])

    @router.get("/metrics", include_in_schema=False)
    async def scrape(request: Request) -> Response:
        _check_access(request, token)
        await metrics.read_database(request.app.state.sessionmaker)
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    return router
