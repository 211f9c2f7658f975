"""The Refine panel's state: one conversation about a panel (or an image file, or nothing), its turns as the
library keeps them, the settings of the conversation (mainline, the tool's image model, reasoning effort,
the tool's image parameters), the live quote of the next turn (an estimate and its hard bound, in two
parts), and the turn in flight (its stage and its newest partial image, from the service's events).

    chat.show_panel(panel_id)            # loads the panel's newest conversation
    chat.set_instruction("make the hoodie purple")    # re-quotes (debounced)
    chat.send()                          # a journaled, reserved turn: the panel's next version
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from studio.core.errors import StudioError, TransparencyRefused
from studio.core.images import ImageFile, read_image_file
from studio.core.mainline import load_mainline
from studio.core.mask_ops import painted_from_api
from studio.core.placement import Placement
from studio.core.pricing import format_usd
from studio.core.request import EditRequest, ImageRequest
from studio.core.responses_body import TurnSettings
from studio.core.turn_pricing import TurnQuote, effort_line
from studio.service import events as ev
from studio.service.api import Studio

from .tasks import TaskRunner

QUOTE_DELAY_MS = 250
IMAGE_PARAMS = ("size", "quality", "output_format", "background", "complexity")


class RefineChat(QObject):
    changed = Signal()  # the target, the conversation or its turns
    quote_changed = Signal(str)  # the next turn's cost line ("" while there is nothing to quote)
    progress = Signal(str, str)  # the turn in flight: its stage, and the newest partial image's path
    busy_changed = Signal(bool)
    refused = Signal(str)  # a refusal before sending (caps, an empty instruction, a bad size)
    transparency_refused = Signal(str)  # …and the one the window answers with the Images API route
    said = Signal(str)  # what a finished turn has to say (the text of a text-only answer, a failure)

    def __init__(self, studio: Studio, tasks: TaskRunner, parent: QObject | None = None):
        super().__init__(parent)
        self.cast: Any = None  # the board's cast (state/cast_board.CastBoard): a first turn sends it
        self.studio, self.tasks = studio, tasks
        self.mainline = load_mainline()
        self.panel_id: int | None = None
        self.source: Path | None = None  # a file the conversation starts from (no panel)
        self.conversation: dict[str, Any] | None = None
        self.turns: list[dict[str, Any]] = []
        self.instruction = ""
        self.mask: ImageFile | None = None  # the painter's mask, sent as the tool's input_image_mask
        spec = self.mainline.get(self.mainline.default)
        self.settings = TurnSettings(
            self.mainline.default, self.mainline.default_image_model, spec.default_effort
        )
        self.params: dict[str, Any] = {"size": "auto", "quality": "auto", "output_format": "png",
                                       "background": "auto"}  # fmt: skip
        self.quote: TurnQuote | None = None
        self.job_id: str | None = None  # the turn in flight
        self.stage = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(QUOTE_DELAY_MS)
        self._timer.timeout.connect(self.requote)
        self._fit_complexity()

    # -- what the conversation is about ----------------------------------------------------------------

    def show_panel(self, panel_id: int | None) -> None:
        """The panel the grid's selection is on (None: nothing selected; a file's conversation stays)."""
        if panel_id is None or panel_id == self.panel_id or self.busy:
            return
        self.panel_id, self.source, self.conversation, self.mask = panel_id, None, None, None
        self.turns = []
        self.changed.emit()
        self.tasks.start(self.load(), "Loading the panel's conversation", failure=self.refused.emit)

    def start_from_file(self, path: str) -> None:
        self._fresh(panel_id=None, source=Path(path))

    def start_from_nothing(self) -> None:
        """A conversation from text alone: its first turn draws from the instruction."""
        self._fresh(panel_id=None, source=None)

    def _fresh(self, *, panel_id: int | None, source: Path | None) -> None:
        if self.busy:
            return
        self.panel_id, self.source, self.mask = panel_id, source, None
        self.conversation, self.turns = None, []
        self.changed.emit()
        self._timer.start()

    async def load(self) -> None:
        conversation_id = self.conversation["id"] if self.conversation else None
        if self.panel_id is None and conversation_id is None:
            self.turns = []
        else:
            self.conversation, self.turns = await self.studio.conversation(
                self.panel_id, conversation_id=conversation_id if self.panel_id is None else None
            )
        if self.conversation is not None:  # a conversation goes on with the settings it last used
            c = self.conversation
            self.settings = TurnSettings(
                c["mainline"], c["image_model"], c["effort"], partial_images=self.settings.partial_images
            )
            self._fit_complexity()
        self.changed.emit()
        self.requote()

    @property
    def target(self) -> str:
        if self.panel_id is not None:
            return f"panel {self.panel_id}"
        return f"file {self.source.name}" if self.source else "text only (a new image)"

    # -- settings ----------------------------------------------------------------------------------------

    def set_setting(self, **changes: Any) -> None:
        """mainline / image_model / effort / partial_images, or a tool parameter (size, quality, …)."""
        fields = {k: v for k, v in changes.items() if k in ("mainline", "image_model", "effort",
                                                               "partial_images")}  # fmt: skip
        if "mainline" in fields and "effort" not in fields:
            spec = self.mainline.get(fields["mainline"])
            if self.settings.effort not in spec.efforts:
                fields["effort"] = spec.default_effort
        if fields:
            self.settings = TurnSettings(**{**self.settings.__dict__, **fields})
        self.params.update({k: v for k, v in changes.items() if k in IMAGE_PARAMS})
        self._fit_complexity()
        self._timer.start()

    def _fit_complexity(self) -> None:
        """The tool's complexity: the image model's default where it has one, never sent to one without."""
        assert self.studio.images is not None
        spec = self.studio.images.registry.get(self.settings.image_model)
        if self.params.get("complexity") not in spec.complexities:
            self.params["complexity"] = spec.complexity_default if spec.complexities else None

    def effort_line(self) -> str:
        return effort_line(self.mainline, self.mainline.get(self.settings.mainline), self.settings.effort)

    def set_instruction(self, text: str) -> None:
        self.instruction = text
        self._timer.start()

    def set_mask(self, mask: ImageFile | None) -> None:
        self.mask = mask
        self.changed.emit()

    # -- quoting and sending -----------------------------------------------------------------------------

    def _where(self) -> dict[str, Any]:
        sheet = {"sheet": self.cast.sheet} if self.cast is not None else {}  # a first turn sends the cast
        if self.conversation is not None:
            return {"conversation_id": self.conversation["id"], **sheet}
        return {"panel_id": self.panel_id, "source": self.source, **sheet}

    def requote(self) -> None:
        if not self.instruction.strip():
            self.quote = None
            self.quote_changed.emit("")
            return
        coro = self.studio.quote_turn(self.instruction, self.settings, dict(self.params), **self._where())
        self.tasks.start(coro, "Quoting the turn", success=self._quoted, failure=self._not_quoted)

    def _quoted(self, q: TurnQuote) -> None:
        self.quote = q
        cast = ""
        first = not any(t.get("response_id") for t in self.turns)
        if first and self.cast is not None and self.cast.active:  # it goes with this turn: say so
            n = len(self.cast.sheet.images)
            cast = f" · with the board's cast ({n} reference image{'s' * (n != 1)})"
            cast += "".join(f"\n{note}" for note in q.cast_notes)  # what it left out, or says wrongly
        self.quote_changed.emit(quote_line(q) + cast)

    def _not_quoted(self, message: str) -> None:
        self.quote = None
        self.quote_changed.emit(f"Cannot send: {message}")

    @property
    def busy(self) -> bool:
        return self.job_id is not None

    def send(self) -> None:
        if self.busy or not self.instruction.strip():
            return
        self.job_id, self.stage = "", "sending…"  # "" until JobQueued names it
        self.busy_changed.emit(True)
        self.progress.emit(self.stage, "")
        self.tasks.start(self._send(), "Refining", failure=self._failed)

    async def _send(self) -> None:
        where = self._where()
        try:
            outcome = await self.studio.refine(
                self.instruction,
                self.settings,
                dict(self.params),
                mask=self.mask,
                on_queued=self._queued,
                **where,
            )
        except StudioError as exc:
            self._end()
            signal = self.transparency_refused if isinstance(exc, TransparencyRefused) else self.refused
            signal.emit(str(exc))
            return
        self._end()
        self.conversation = {"id": outcome.conversation_id}  # a start-over after an expiry: the new one
        if outcome.message:
            self.said.emit(outcome.message)
        self.instruction = "" if outcome.state.value == "saved" else self.instruction
        await self.load()

    def _failed(self, message: str) -> None:
        self._end()
        self.refused.emit(message)

    def _end(self) -> None:
        self.job_id, self.stage = None, ""
        self.busy_changed.emit(False)

    # -- the Images API instead (a transparent background the tool refuses) --------------------------------

    async def plan_images_api(self) -> ImagesApiPlan:
        """The same instruction as an Images API call: an edit of the panel's image or the file (the whole
        image, no mask unless the painter's), or a generation from text; the tool's parameters as set."""
        params = {k: v for k, v in self.params.items() if k != "size" or v != "auto"}
        model = self.settings.image_model
        path = None
        if self.panel_id is not None:
            path = (await self.studio.boards.current_version(self.panel_id)).get("path")
        elif self.source is not None:
            path = str(self.source)
        if not path:
            return ImagesApiPlan(ImageRequest(self.instruction, model=model, **params))
        source = await asyncio.to_thread(read_image_file, path, role="image")
        painted = painted_from_api(self.mask, (source.size.width, source.size.height)) if self.mask else None
        request, notices = await asyncio.to_thread(
            self.studio.plan_edit, self.instruction, source, painted, model=model, **params
        )
        return ImagesApiPlan(request, source, painted, notices)

    def send_images_api(self, plan: ImagesApiPlan, board: str | None) -> None:
        async def go() -> None:
            if plan.source is None:
                assert self.studio.images is not None
                await self.studio.images.submit(plan.request, Placement.end(board) if board else None)
                return
            assert isinstance(plan.request, EditRequest)
            await self.studio.edit(
                plan.request, source=plan.source, painted=plan.painted, notices=plan.notices,
                board=board if self.panel_id is not None else None, panel_id=self.panel_id,
                guard=plan.painted is not None,
            )  # fmt: skip
            await self.load()

        self.tasks.start(go(), "Sending through the Images API", failure=self.refused.emit)

    def fork(self, seq: int) -> None:
        """Go on from turn `seq`: a new conversation (the panel's newest) whose next turn follows it."""
        if self.conversation is None or self.busy:
            return

        async def go() -> None:
            assert self.conversation is not None
            new_id = await self.studio.fork_conversation(self.conversation["id"], seq)
            self.conversation = {"id": new_id}  # a panel's: its newest conversation from now on
            await self.load()

        self.tasks.start(go(), "Forking the conversation", failure=self.refused.emit)

    # -- the turn in flight, from the service's events ----------------------------------------------------

    def _queued(self, job_id: str, conversation_id: str) -> None:
        self.job_id = job_id
        if self.conversation is None:
            self.conversation = {"id": conversation_id}

    def apply(self, e: ev.Event) -> None:
        if not self.job_id:
            return
        if isinstance(e, ev.TurnStage) and e.job_id == self.job_id:
            self.stage = e.stage
            self.progress.emit(e.stage, "")
        elif isinstance(e, ev.PartialImage) and e.job_id == self.job_id:
            self.progress.emit(f"{self.stage} partial image {e.step + 1}", e.path)


@dataclass(frozen=True)
class ImagesApiPlan:
    request: ImageRequest
    source: ImageFile | None = None  # an edit's image at full resolution (None: a generation)
    painted: Any = None  # the painter's mask, as painted
    notices: tuple[str, ...] = ()


def quote_line(q: TurnQuote) -> str:
    """ "≈ $0.0123, at most $0.0456 (mainline ≤ $0.0031 + image ≤ $0.0425)" """
    return (
        f"≈ {format_usd(q.total_usd_estimate)}, at most {format_usd(q.total_usd_max)} "
        f"(mainline ≤ {format_usd(q.mainline_usd_max)} + image ≤ {format_usd(q.image.total_usd_max)})"
    )


def bill_line(turn: dict[str, Any]) -> str:
    """A turn's bill in its two parts, or what became of it."""
    state = turn.get("state")
    if turn.get("mainline_usd") is not None:
        main, image = Decimal(turn["mainline_usd"]), Decimal(turn.get("image_usd") or 0)
        return f"{format_usd(main + image)} = mainline {format_usd(main)} + image {format_usd(image)}"
    if state == "unknown":
        return "outcome unknown: it may have been billed (see Jobs)"
    if state in ("queued", "sent", "received"):
        return "in flight…"
    return f"{state}: not billed" if state else ""
