"""Keeps the cost meter's totals and caps current: read from the ledger after every bill, cap change,
board switch or endpoint switch (never on the GUI thread)."""

from __future__ import annotations

from decimal import Decimal

from studio.service.api import Boards, Costs

from .board_controller import BoardController
from .cost_model import CostModel


class CostWatch:
    def __init__(self, costs: Costs, boards: Boards, board: BoardController, model: CostModel):
        self._costs, self._boards, self._board, self.model = costs, boards, board, model
        self.sandbox = False  # the endpoint is the sandbox: calls are rehearsals, never charged

    async def refresh(self) -> None:
        totals = await self._costs.totals()
        caps = await self._costs.caps()
        name = self._board.board_name
        self.model.update(
            today=totals.today,
            month=totals.month,
            board=totals.by_board.get(name, Decimal(0)),
            cap_call=caps.call,
            cap_day=caps.day,
            cap_month=caps.month,
            sandbox_calls=totals.sandbox_calls,
            cap_board=await self._boards.budget(self._board.board_id),
            board_name=name,
            sandbox=self.sandbox,
        )
