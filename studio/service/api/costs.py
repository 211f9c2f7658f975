"""The ledger as the front ends see it: what was spent and reserved, and the caps."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import ledger
from ..db import Database
from ..ledger import BILL_FLAGS, Caps, OverBudget, Totals, parse_usd

__all__ = ["BILL_FLAGS", "Caps", "Costs", "OverBudget", "Totals", "parse_usd"]


class Costs:
    def __init__(self, db: Database):
        self._db = db

    async def totals(self) -> Totals:
        return await self._db.run(ledger.totals)

    async def caps(self) -> Caps:
        return await self._db.run(ledger.get_caps)

    async def set_cap(self, which: str, usd: Decimal | None) -> None:
        """`which` is day, month or call; None removes the cap."""
        await self._db.run(ledger.set_cap, which, usd)

    async def rows(self) -> list[dict[str, Any]]:
        """Every job's quote and bill, newest first."""
        return await self._db.run(ledger.ledger_rows)

    @staticmethod
    def csv(rows: list[dict[str, Any]]) -> str:
        return ledger.ledger_csv(rows)
