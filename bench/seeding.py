"""Seeding shared by the benchmarks: the county's townships with numbered villages, in bulk."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.models import Township, Village
from services.places import ensure_townships

#: Villages seeded in each township.
VILLAGES_PER_TOWNSHIP = 10


async def add_villages(session: AsyncSession) -> list[int]:
    """The townships and `VILLAGES_PER_TOWNSHIP` villages in each (第0村, 第1村…); returns the villages' ids.

    One INSERT for all of them: a benchmark seeds thousands of rows and measures what comes after.
    """
    await ensure_townships(session)
    townships = (await session.scalars(select(Township))).all()
    await session.execute(
        insert(Village),
        [{"township_id": t.id, "name": f"第{n}村"} for t in townships for n in range(VILLAGES_PER_TOWNSHIP)],
    )
    return list((await session.scalars(select(Village.id))).all())
