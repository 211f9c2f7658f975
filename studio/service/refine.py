"""Refining in conversation: a turn of the Responses route (a mainline model calling the image tool),
a sibling of the Images API and Batch routes that shares the journal (each turn a job: write-ahead,
outcome unknown on a drop or a kill, never re-sent on its own), the ledger's reservation against the
caps, and the events. The turn's image becomes the panel's next version (or a library image for a file
or a text-only start); its bill is the mainline's `usage` plus `tool_usage.image_gen`, each at its rates.

    refiner = Refiner(service)
    outcome = await refiner.turn("make the hoodie purple", settings, params, panel_id=7)
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.core.images import ImageFile
from studio.core.placement import Placement
from studio.core.plan import PlannedJob
from studio.core.request import ImageRequest
from studio.core.responses_body import TurnRequest, TurnSettings
from studio.core.turn_pricing import TurnQuote, turn_bill

from . import conversations, journal, ledger, library, versions
from .events import JobFailed, JobQueued, JobSaved, JobSent, JobUnknown, TurnStage, VersionAdded
from .failures import Kind, explain, explain_error_body
from .images_api import CallResult
from .journal import JobState, NewJob
from .previews import preview_saver
from .refine_plan import plan_turn
from .settlement import save_files

if TYPE_CHECKING:
    from .runner import ImageService


@dataclass
class TurnOutcome:
    job_id: str
    conversation_id: str
    state: JobState
    quote: TurnQuote
    response_id: str | None = None
    files: list[str] = field(default_factory=list)
    text: str = ""
    usage: dict[str, Any] | None = None
    tool_usage: dict[str, Any] | None = None
    mainline_usd: Decimal | None = None
    image_usd: Decimal | None = None
    billed_usd: Decimal | None = None
    message: str | None = None
    stages: list[str] = field(default_factory=list)


class Refiner:
    def __init__(self, service: ImageService):
        self.service = service

    async def turn(
        self,
        instruction: str,
        settings: TurnSettings,
        params: dict[str, Any],
        *,
        panel_id: int | None = None,
        source: Path | None = None,
        conversation_id: str | None = None,
        sheet: Any = None,
        mask: ImageFile | None = None,
        call_cap: Decimal | None = None,
        on_stage: Any = None,
        on_queued: Any = None,
    ) -> TurnOutcome:
        """One turn: `params` are the tool's image parameters (size, quality, format, background…)."""
        db = self.service.db
        plan = await plan_turn(
            self.service,
            instruction,
            settings,
            params,
            panel_id=panel_id,
            source=source,
            conversation_id=conversation_id,
            sheet=sheet,
        )
        spec, checked, q, past = plan.spec, plan.checked, plan.quote, plan.history
        conv = plan.conversation or await self._new_conversation(panel_id, source, settings)
        if plan.first:
            await db.run(conversations.set_start, conv["id"], plan.start_path)
            await db.run(conversations.set_cast, conv["id"], list(plan.cast_paths), plan.cast_woven)
        chosen = {"mainline": spec.id, "image_model": settings.image_model, "effort": settings.effort}
        if any(conv.get(k) != v for k, v in chosen.items()):  # the next turns go on with these
            await db.run(conversations.settings_of, conv["id"], **chosen)
        image_request = checked.request
        images = plan.start_images
        board_id = await db.run(_board_of_panel, panel_id) if panel_id is not None else None
        previous = conv["last_response_id"]
        snapshot = {
            **ImageRequest.snapshot(image_request),
            "endpoint": "refine",
            "route": "responses",
            "mainline": spec.id,
            "effort": settings.effort,
            "max_output_tokens": settings.max_output_tokens,
            "previous_response_id": previous,
            "conversation_id": conv["id"],
        }
        new = NewJob(
            group_id=conv["id"],
            seq=len(past),
            first_index=0,
            board_id=board_id,
            endpoint=self.service.endpoint.public_url,
            sandbox=self.service.endpoint.is_sandbox,
            kind="refine",
            model=settings.image_model,
            prompt=instruction,
            n=1,
            request=snapshot,
            quote=q.to_json(),
            quote_max_usd=q.total_usd_max,
        )
        [job_id] = await db.run(ledger.reserve, [new], call_cap=call_cap)  # OverBudget: nothing sent
        await db.run(conversations.add_turn, conv["id"], job_id, instruction, previous)
        if on_queued is not None:  # the caller follows this job's events (its stages, its partial images)
            on_queued(job_id, conv["id"])
        self.service.events.publish(JobQueued(job_id, conv["id"], 1, q.total_usd_max, board_id))
        turn = TurnRequest(
            plan.sent_instruction or instruction, checked, settings, previous, tuple(images), mask
        )
        outcome = TurnOutcome(job_id, conv["id"], JobState.SENT, q)
        return await self._send(turn, plan.mainline, outcome, spec, panel_id, board_id, snapshot, on_stage)

    async def _send(
        self, turn, mainline, outcome, spec, panel_id, board_id, snapshot, on_stage
    ) -> TurnOutcome:
        from .responses_route import UploadFailed, send_turn

        checked = turn.image

        service, job_id = self.service, outcome.job_id
        client = await service.ready_client()
        attempt = await service.db.run(journal.bump_attempts, job_id)
        await service.db.run(journal.mark, job_id, JobState.SENT)
        service.events.publish(JobSent(job_id, attempt))
        loop = asyncio.get_running_loop()
        saver = preview_saver(service, job_id, 0, str(checked.request.output_format))

        def stage(text: str) -> None:  # on the worker thread: the events go out on the loop
            loop.call_soon_threadsafe(service.events.publish, TurnStage(job_id, text))
            if on_stage is not None:
                on_stage(text)

        def partial(index: int, data: bytes) -> None:
            asyncio.run_coroutine_threadsafe(saver(0, index, data), loop)

        try:
            answer = await asyncio.to_thread(
                send_turn, client, turn, mainline, on_stage=stage, on_partial=partial
            )
        except Exception as exc:  # explained and journaled; never re-sent on its own
            failure = explain(exc.__cause__ if isinstance(exc, UploadFailed) and exc.__cause__ else exc)
            if isinstance(exc, UploadFailed):  # the turn itself was never sent: it failed, unbilled
                kind = Kind.CONNECTION if failure.kind is Kind.OUTCOME_UNKNOWN else failure.kind
                failure = replace(
                    failure, kind=kind, message=f"{exc} ({failure.message}); nothing was billed"
                )
            unknown = failure.kind is Kind.OUTCOME_UNKNOWN
            state = JobState.UNKNOWN if unknown else JobState.FAILED
            await service.db.run(
                journal.mark,
                job_id,
                state,
                error_kind=failure.kind.value,
                error_message=failure.message,
                request_id=failure.request_id,
            )
            event = (
                JobUnknown(job_id, failure.message)
                if unknown
                else JobFailed(job_id, failure.kind.value, failure.message, failure.request_id)
            )
            service.events.publish(event)
            outcome.state, outcome.message = state, failure.message
            if failure.code == "previous_response_not_found":  # expired at OpenAI, or another sandbox's
                outcome.conversation_id = await self._start_over(outcome.conversation_id)
                outcome.message = (
                    f"{failure.message} The conversation's last answer is no longer stored (OpenAI keeps "
                    "them 30 days; a sandbox only while it runs): the next turn starts a new conversation "
                    "from the panel's current image. Nothing was billed."
                )
            return outcome
        return await self._settle(answer, outcome, checked, spec, panel_id, board_id, snapshot)

    async def _settle(self, answer, outcome, checked, spec, panel_id, board_id, snapshot) -> TurnOutcome:
        service, job_id, q = self.service, outcome.job_id, outcome.quote
        response = answer.response
        usage, tool_usage = response.get("usage"), response.get("tool_usage")
        bill = turn_bill(usage, tool_usage, spec, checked, q, drew=answer.call is not None)
        image_usage = (tool_usage or {}).get("image_gen") if isinstance(tool_usage, dict) else None
        outcome.response_id, outcome.text, outcome.stages = answer.response_id, answer.text, answer.stages
        outcome.usage, outcome.tool_usage = usage, tool_usage
        outcome.mainline_usd, outcome.image_usd, outcome.billed_usd = (
            bill.mainline_usd,
            bill.image_usd,
            bill.usd,
        )
        await service.db.run(
            journal.mark,
            job_id,
            JobState.RECEIVED,
            request_id=answer.request_id,
            usage_json=json.dumps(image_usage) if image_usage else None,
            billed_usd=str(bill.usd),
        )
        turn_fields = {
            "response_id": answer.response_id,
            "text": answer.text,
            "image_item_id": (answer.call or {}).get("id"),
            "mainline_usage_json": json.dumps(usage),
            "mainline_usd": str(bill.mainline_usd),
            "image_usd": str(bill.image_usd),
        }
        parts = ((f"mainline {spec.id}", bill.mainline_usd), (f"image {checked.spec.id}", bill.image_usd))
        error = (answer.call or {}).get("error")
        if answer.image is None:  # moderation in the call item, or a text-only answer: said, and billed
            failure = explain_error_body(400, error) if error else None
            message = failure.message if failure else f"The model answered without an image: {answer.text!r}"
            await service.db.run(conversations.answered, job_id, turn_fields)
            state = JobState.FAILED if failure else JobState.SAVED
            kind = failure.kind.value if failure else "text_only"
            await service.db.run(journal.mark, job_id, state, error_kind=kind, error_message=message)
            service.events.publish(
                JobFailed(job_id, kind, message, answer.request_id, billed_usd=bill.usd, parts=parts)
            )
            await service.publish_cost()
            outcome.state, outcome.message = state, message
            return outcome
        call = answer.call or {}
        result = CallResult(
            answer.request_id,
            [answer.image],
            str(call.get("output_format") or checked.request.output_format),
            image_usage,
            size=call.get("size"),
            quality=call.get("quality"),
            background=call.get("background"),
        )
        planned = PlannedJob(
            outcome.conversation_id,
            0,
            checked,
            q.image,
            0,
            Placement.library(),
            job_id,
            board_id,
            snapshot=snapshot,
        )
        provenance = {
            "app": "Asset Studio",
            "job_id": job_id,
            "route": "responses",
            "prompt": checked.request.prompt,
            "params": snapshot,
            "response_id": answer.response_id,
            "request_id": answer.request_id,
            "revised_prompt": call.get("revised_prompt"),
            "usage": usage,
            "tool_usage": tool_usage,
            "billed_usd": str(bill.usd),
            "mainline_usd": str(bill.mainline_usd),
            "image_usd": str(bill.image_usd),
            "quote_max_usd": str(q.total_usd_max),
            "created": journal.iso(journal.utc_now()),
        }
        saved = await save_files(service, planned, result, provenance)
        image = saved.images[0]
        image_id, _ = await service.db.run(library.record_image, image, None)
        turn_fields["image_path"] = image.path
        await service.db.run(conversations.answered, job_id, turn_fields)
        if panel_id is not None:
            new = versions.NewVersion(
                kind="refine",
                path=image.path,
                prompt=checked.request.prompt,
                image_id=image_id,
                raw_path=image.path,
                job_id=job_id,
            )
            await service.db.run(versions.add, panel_id, new)
            view = await service.db.run(library.panel_view, panel_id)
            if view is not None:
                service.events.publish(VersionAdded(job_id, view))
        notice = "; ".join(filter(None, [saved.notice, *bill.flags])) or None
        await service.db.run(journal.mark, job_id, JobState.SAVED, error_message=notice)
        service.events.publish(
            JobSaved(job_id, (image.path,), bill.usd, answer.request_id, notice, parts=parts)
        )
        await service.publish_cost()
        outcome.state, outcome.files, outcome.message = JobState.SAVED, [image.path], notice
        return outcome

    async def _start_over(self, conversation_id: str) -> str:
        """A new conversation in its place (its panel's newest), started afresh from the image it is at."""
        old = await self.service.db.run(conversations.get, conversation_id)
        if old is not None:
            source = old["source_path"]
            if old["panel_id"] is None:  # a file's or a text's goes on from its newest image
                _, chain = await self.service.db.run(conversations.history, conversation_id)
                source = next((t["image_path"] for t in reversed(chain) if t.get("image_path")), source)
            return await self.service.db.run(
                conversations.create,
                panel_id=old["panel_id"],
                source_path=source,
                mainline=old["mainline"],
                image_model=old["image_model"],
                effort=old["effort"],
                forked_from=conversation_id,
            )
        return conversation_id

    async def quote(
        self, instruction: str, settings: TurnSettings, params: dict[str, Any], **where: Any
    ) -> TurnQuote:
        """What the turn would cost (estimate and hard bound), reserving and sending nothing. `where`:
        panel_id, source or conversation_id, as for turn()."""
        return (await plan_turn(self.service, instruction, settings, params, **where)).quote

    async def _new_conversation(self, panel_id, source, settings) -> dict[str, Any]:
        new_id = await self.service.db.run(
            conversations.create,
            panel_id=panel_id,
            source_path=str(source) if source else None,
            mainline=settings.mainline,
            image_model=settings.image_model,
            effort=settings.effort,
        )
        return await self.service.db.run(conversations.get, new_id) or {}


def _board_of_panel(conn: Any, panel_id: int) -> int | None:
    row = conn.execute("SELECT board_id FROM panels WHERE id = ?", (panel_id,)).fetchone()
    return row["board_id"] if row else None
