"""Received webhook updates: each id handled once, and nothing personal kept once handled."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services import updates
from services.models import TelegramUpdate


def _payload(update_id: int, text: str) -> dict[str, object]:
    return {"update_id": update_id, "message": {"message_id": 1, "date": 0, "chat": {"id": 5}, "text": text}}


async def test_a_redelivered_update_is_recognised(session: AsyncSession) -> None:
    assert await updates.record_update(session=session, payload=_payload(7, "你好"))
    assert not await updates.record_update(session=session, payload=_payload(7, "你好"))


async def test_an_unhandled_update_is_replayed_and_a_handled_one_keeps_no_text(session: AsyncSession) -> None:
    id_number = "210422197001014011"
    await updates.record_update(session=session, payload=_payload(8, id_number))
    assert [p["update_id"] for p in await updates.unhandled_updates(session=session)] == [8]

    await updates.mark_handled(session=session, update_id=8)
    await session.commit()

    assert await updates.unhandled_updates(session=session) == []
    row = await session.get(TelegramUpdate, 8)
    assert row is not None
    assert id_number not in str(row.payload)
    assert not await updates.record_update(session=session, payload=_payload(8, id_number))
