"""One painter's edit workflow: its source (a panel's current version or an image file), the
references, the quote, the edit call with the drift guard, and the panel's versions."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtCore import QObject, Signal

from studio.core.edit_prep import fit_source, output_size
from studio.core.errors import StudioError
from studio.core.images import ImageFile, blank_markup, inspect_image, read_image_file
from studio.core.pricing import Quote, format_usd
from studio.core.provenance import strip_provenance
from studio.core.request import EditRequest
from studio.service.api import NewVersion, Studio
from studio.service.memory import release_off_loop

from .board_controller import BoardController
from .cost_watch import CostWatch
from .prompt_model import PromptModel
from .tasks import TaskRunner

MAX_REFERENCES = 15


def _read(path: str) -> ImageFile:
    data = Path(path).read_bytes()
    try:
        data = strip_provenance(data)  # what the API returned; our iTXt chunks stay home
    except Exception:
        pass
    return inspect_image(data, Path(path).name)


class EditController(QObject):
    source_changed = Signal()  # a new source image (after an edit, a revert or a version pick)
    versions_changed = Signal()
    references_changed = Signal()
    quote_changed = Signal(str)
    busy_changed = Signal(bool)
    finished = Signal(dict)  # {"drift": Drift|None, "path", "raw_path", "heatmap_path", "version_id"}
    error = Signal(str)

    def __init__(
        self,
        studio: Studio,
        board: BoardController,
        prompt: PromptModel,
        costs: CostWatch,
        tasks: TaskRunner,
        *,
        panel_id: int | None = None,
        path: str | None = None,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        assert studio.images is not None, "edits need an endpoint"
        self.studio, self.service = studio, studio.images
        self.board, self.prompt, self.costs, self.tasks = board, prompt, costs, tasks
        self.panel_id = panel_id
        self.source_path = path
        self.source: ImageFile | None = None
        self.references: list[ImageFile] = []
        self.versions: list[dict[str, Any]] = []
        self.current_version: dict[str, Any] | None = None
        self.last_result: dict[str, Any] | None = None
        self.busy = False
        self.mode = "mask"  # or "markup" (set_mode)
        self.notices: tuple[str, ...] = ()
        self.quote: Quote | None = None
        self._fit_cache: dict[tuple[int, str], tuple[ImageFile, tuple[ImageFile, list[str]]]] = {}

    async def load(self) -> None:
        """Read the source: the panel's current version, or the file."""
        if self.panel_id is not None:
            self.current_version = await self.studio.boards.current_version(self.panel_id)
            self.versions = await self.studio.boards.versions(self.panel_id)
            self.source_path = self.current_version["path"]
            self.versions_changed.emit()
        if not self.source_path:
            raise StudioError("nothing to edit: the panel has no image yet")
        self.source = await asyncio.to_thread(
            _read if self.panel_id is not None else read_image_file, self.source_path
        )
        self.source_changed.emit()

    # -- references ------------------------------------------------------------------------------------

    def add_reference(self, image: ImageFile) -> bool:
        if len(self.references) >= MAX_REFERENCES:
            self.error.emit(
                f"at most {MAX_REFERENCES} reference images (the API takes 16 images, the first being the "
                "source)"
            )
            return False
        self.references.append(image)
        self.references_changed.emit()
        return True

    def add_reference_file(self, path: str) -> bool:
        try:
            return self.add_reference(read_image_file(path, role="reference"))
        except StudioError as exc:
            self.error.emit(str(exc))
            return False

    def add_reference_panel(self, path: str) -> bool:
        try:
            return self.add_reference(_read(path))
        except (StudioError, OSError) as exc:
            self.error.emit(str(exc))
            return False

    def remove_reference(self, index: int) -> None:
        if 0 <= index < len(self.references):
            del self.references[index]
            self.references_changed.emit()

    # -- quote and edit ------------------------------------------------------------------------------------

    def params(self) -> dict[str, Any]:
        """The prompt editor's model and output settings; one result per edit (it becomes one version)."""
        req = self.prompt.request()
        return {
            "model": req.model,
            "quality": req.quality,
            "n": 1,
            "background": req.background,
            "output_format": req.output_format,
            "output_compression": req.output_compression,
            "moderation": req.moderation,
            "complexity": req.complexity,
            "frame_count": req.frame_count,
            "frame_duration_ms": req.frame_duration_ms,
            "svg_author": req.svg_author,
            "svg_effort": req.svg_effort,
        }

    def _fitted(self, image: ImageFile, spec) -> tuple[ImageFile, list[str]]:
        """fit_source once per image and model (re-encoding a big source is not for every keystroke)."""
        key = (id(image), spec.id)
        if key not in self._fit_cache:
            self._fit_cache[key] = (image, fit_source(image, spec))
        return self._fit_cache[key][1]

    def update_quote(self, prompt: str) -> Quote | None:
        """The quote of the edit as it would go now. The mask's content does not change the price, so no
        mask is encoded here: a mask of the right size stands in for it."""
        if self.source is None:
            return None
        params = self.params()
        try:
            spec = self.service.registry.get(params["model"])
            fitted = [self._fitted(image, spec) for image in (self.source, *self.references)]
            images = tuple(f for f, _ in fitted)
            notices = [n for _, more in fitted for n in more]
            size, notice = output_size(self.source.size, spec)
            if notice:
                notices.append(notice)
            if self.mode == "markup":  # a blank layer of the first image's size prices (and checks) the same
                request = EditRequest(
                    prompt=prompt or "-",
                    images=images,
                    markup=blank_markup(images[0].size),
                    size=size,
                    **params,
                )
            else:
                stand_in = ImageFile("mask.png", b"", "png", images[0].size, True)
                request = EditRequest(prompt=prompt or "-", images=images, mask=stand_in, size=size, **params)
            _, q = self.service.check(request)
        except StudioError as exc:
            self.quote = None
            self.quote_changed.emit(f"Cannot edit: {exc}")
            return None
        self.quote, self.notices = q, tuple(notices)
        text = (
            f"Edit: ~{format_usd(q.total_usd_estimate)}, at most {format_usd(q.total_usd_max)} · "
            f"output {request.size}"
        )
        if self.costs.sandbox:
            text += " · sandbox, no charge"
        self.quote_changed.emit("\n".join([text, *notices]))
        return q

    def set_mode(self, mode: str) -> None:
        """ "mask" (inpaint: only the painted area may change; drift guard) or "markup" (drawn guidance:
        anything
        may change). One or the other is sent, never both."""
        if mode not in ("mask", "markup"):
            raise ValueError(mode)
        self.mode = mode

    def start_edit(
        self,
        prompt: str,
        painted: Image.Image | None,
        *,
        guard: bool = True,
        feather_px: int = 8,
        markup_png: bytes | None = None,
    ) -> asyncio.Task[Any] | None:
        if self.busy or self.source is None:
            return None
        self.busy = True
        self.busy_changed.emit(True)
        return self.tasks.start(
            self._edit(prompt, painted, guard, feather_px, markup_png), "edit", failure=self.error.emit
        )

    async def _edit(
        self,
        prompt: str,
        painted: Image.Image | None,
        guard: bool,
        feather_px: int,
        markup_png: bytes | None = None,
    ) -> None:
        source = self.source
        if source is None:  # start_edit checks this; a reload may have cleared it since
            self.busy = False
            self.busy_changed.emit(False)
            return
        try:
            try:  # the preflight encodes the mask and may re-encode a big source: not on the GUI thread
                markup = inspect_image(markup_png, "markup.png", role="markup") if markup_png else None
                request, notices = await asyncio.to_thread(
                    self.studio.plan_edit,
                    prompt,
                    source,
                    None if markup else painted,
                    references=tuple(self.references),
                    markup=markup,
                    **self.params(),
                )
            except StudioError as exc:
                self.error.emit(str(exc))
                return
            try:  # a refusal (over a cap, the sandbox rehearsing one) is said in the painter that asked
                out = await self.studio.edit(
                    request,
                    source=source,
                    painted=painted,
                    notices=notices,
                    board=self.board.board_name if self.board.board_id is not None else None,
                    panel_id=self.panel_id,
                    parent_version=self.current_version.get("id") if self.current_version else None,
                    guard=guard,
                    feather_px=feather_px,
                    call_cap=None,
                )
            except StudioError as exc:
                self.error.emit(f"Not sent: {exc}")
                return
        finally:
            self.busy = False
            self.busy_changed.emit(False)
        await release_off_loop(
            job.received for job in out.group.jobs
        )  # saved and guarded: freed off the GUI thread
        failures = [j.failure for j in out.group.jobs if j.failure is not None]
        if failures:
            self.error.emit(failures[0].message)
        if not out.images:
            return
        first = out.images[0]
        result = {
            "drift": first.drift,
            "path": first.path,
            "raw_path": first.raw_path,
            "heatmap_path": first.heatmap_path,
            "version_id": first.version_id,
            "source_path": self.source_path,
            "markup": markup_png is not None,
        }
        if self.panel_id is not None:
            await self.load()  # the board's tile already changed (VersionAdded): no reload
        await self.costs.refresh()
        self.last_result = result
        self.finished.emit(result)

    # -- versions
    # ---------------------------------------------------------------------------------------------

    def revert(self, version_id: int) -> asyncio.Task[Any] | None:
        panel_id = self.panel_id
        if panel_id is None:
            return None

        async def go() -> None:
            await self.studio.boards.set_current_version(panel_id, version_id)
            await self.load()
            await self.board.reload()

        return self.tasks.start(go(), "revert", failure=self.error.emit)

    def use_raw(self) -> asyncio.Task[Any] | None:
        """Keep the last edit's raw result (as the API returned it) as a new version instead of the guarded
        one."""
        result = self.last_result
        panel_id = self.panel_id
        if panel_id is None or not result or result["raw_path"] == result["path"]:
            return None

        async def go() -> None:
            drift = result.get("drift")
            await self.studio.boards.add_version(
                panel_id,
                NewVersion(
                    kind="raw",
                    path=result["raw_path"],
                    prompt="raw result of the last edit",
                    raw_path=result["raw_path"],
                    parent_id=result.get("version_id"),
                    heatmap_path=result.get("heatmap_path"),
                    guarded=False,
                    drift_json=json.dumps(drift.to_json()) if drift else None,
                ),
            )
            await self.load()
            await self.board.reload()

        return self.tasks.start(go(), "using the raw result", failure=self.error.emit)

    def drift_of(self, version: dict[str, Any]) -> dict[str, Any] | None:
        return json.loads(version["drift_json"]) if version.get("drift_json") else None
