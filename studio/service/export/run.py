"""Export a board into a folder, atomically: everything is written into a hidden temporary folder
beside the destination, which is renamed into place only when complete. A cancelled or failed
export leaves nothing behind, and nothing is ever written outside the chosen folder."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import os
import shutil
import threading
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from studio.core import clock
from studio.core.errors import RefusedError
from studio.core.files import atomic_write
from studio.core.names import slugify

from .board import ExportBoard
from .images import forget_decoded, lossless_png, panel_filename, panel_kind, unreadable
from .leftovers import PARTIAL_MARK, mark_partial
from .manifest import manifest, manifest_csv, manifest_json
from .pdf import LAYOUTS, PAGE_SIZES, storyboard_pdf
from .sheets import animatic_gif, contact_sheet
from .video import animatic_mp4

FORMATS = ("png", "contact", "pdf", "gif", "mp4", "manifest", "zip")


class ExportCancelled(Exception):
    pass


@dataclass(frozen=True)
class ExportOptions:
    formats: tuple[str, ...] = FORMATS
    columns: int | None = None  # contact sheet; None = chosen from the count and aspect
    per_page: int = 6  # PDF: 1, 4 or 6
    page_size: str = "A4"  # or "Letter"
    gif_width: int = 640
    burn_in: bool = True
    panel_ids: tuple[int, ...] | None = None  # only these panels (a selection), numbered 1… in board order

    def check(self) -> None:
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown or not self.formats:
            raise RefusedError(f"formats {','.join(unknown) or '(none)'}: choose from {','.join(FORMATS)}")
        if self.per_page not in LAYOUTS:
            raise RefusedError(f"panels per page {self.per_page}: choose 1, 4 or 6")
        if self.page_size not in PAGE_SIZES:
            raise RefusedError(f"page size {self.page_size}: choose A4 or Letter")
        if not 64 <= self.gif_width <= 3840:
            raise RefusedError(f"animatic width {self.gif_width}: must be 64 to 3840 pixels")
        if self.columns is not None and not 1 <= self.columns <= 10:
            raise RefusedError(f"columns {self.columns}: must be 1 to 10")


@dataclass
class ExportResult:
    folder: Path
    files: list[str] = field(default_factory=list)  # names inside the folder
    skipped: list[dict[str, object]] = field(
        default_factory=list
    )  # panels whose image could not be read, and why
    board: ExportBoard | None = None  # the board as loaded, skipped panels included (totals, sandbox)


def readable_panels(board: ExportBoard) -> tuple[ExportBoard, list[dict[str, object]]]:
    """The board without the panels whose file cannot be read, and those panels with the reason. The rest
    keep their numbers (a skipped panel 3 leaves a gap, never a renumbered set)."""
    usable, skipped = [], []
    for panel in board.panels:
        why = unreadable(panel)
        if why is None:
            usable.append(panel)
        else:
            skipped.append(
                {
                    "number": panel.number,
                    "panel_id": panel.panel_id,
                    "caption": panel.caption,
                    "path": panel.path,
                    "request_id": panel.request_id,
                    "reason": why,
                }
            )
    return replace(board, panels=tuple(usable)), skipped


def _final_folder(out_dir: Path, board: str) -> Path:
    base = f"{slugify(board, 60, default='board')}-storyboard"
    for k in range(1, 1000):
        candidate = out_dir / (base if k == 1 else f"{base}-{k}")
        if not candidate.exists():
            return candidate
    raise RefusedError(f"{out_dir}: too many earlier exports of this board")


def _write(path: Path, data: bytes) -> None:
    atomic_write(path, data, public=True)  # exports get ordinary file modes


def only_panels(board: ExportBoard, panel_ids: tuple[int, ...] | None) -> ExportBoard:
    """The board cut down to `panel_ids` (in board order, renumbered from 1); None: every panel."""
    if panel_ids is None:
        return board
    wanted = set(panel_ids)
    kept = [p for p in board.panels if p.panel_id in wanted]
    if not kept:
        raise RefusedError("none of the chosen panels has an image to export")
    renumbered = tuple(dataclasses.replace(p, number=k + 1) for k, p in enumerate(kept))
    return dataclasses.replace(board, panels=renumbered)


def export_board(
    board: ExportBoard,
    out_dir: Path,
    options: ExportOptions = ExportOptions(),
    *,
    progress: Callable[[float, str], None] | None = None,
    cancel: threading.Event | None = None,
    now: dt.datetime | None = None,
) -> ExportResult:
    """Write the chosen formats; returns the finished folder. Runs in a worker thread. Panels whose image
    cannot be read are skipped, listed in the result and the manifest; everything else is written."""
    options.check()
    board = only_panels(board, options.panel_ids)
    if not board.panels:
        raise RefusedError(f"board {board.name!r} has no finished panels to export")
    loaded = board
    board, skipped = readable_panels(board)
    if not board.panels:
        raise RefusedError(
            f"board {board.name!r}: no panel's image can be read ("
            + "; ".join(f"panel {s['number']}: {s['reason']}" for s in skipped)
            + ")"
        )
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RefusedError(f"{out_dir}: cannot create the folder ({exc.strerror})") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise RefusedError(f"{out_dir}: the folder is not writable")
    exported_at = (now or clock.now()).strftime("%Y-%m-%d %H:%M UTC")
    formats = set(options.formats)
    content = formats - {"zip"} or set(FORMATS) - {"zip"}  # zip alone: everything, zipped
    steps = len(board.panels) * len(content & {"png", "contact", "pdf", "gif", "mp4"}) + 2
    done = 0

    def tick(what: str = "") -> None:
        nonlocal done
        if cancel is not None and cancel.is_set():
            raise ExportCancelled("export cancelled")
        done += 1
        if progress:
            progress(min(1.0, done / steps), what)

    temp = out_dir / f".{slugify(board.name, 40, default='board')}.partial-{uuid.uuid4().hex[:8]}"
    temp.mkdir()
    mark_partial(temp)
    try:
        files: list[str] = []
        pngs: dict[int, tuple[str, str]] = {}
        if "png" in content:
            for panel in board.panels:
                kind = panel_kind(panel)
                if kind in ("svg", "gif"):  # vectors and animations export as themselves (as received)
                    data = Path(panel.path).read_bytes()
                    name = panel_filename(panel, kind)
                    _write(temp / name, data)
                    files.append(name)
                    pngs[panel.number] = (name, hashlib.sha256(data).hexdigest())
                if kind != "gif":  # an SVG also gets a PNG rendering beside it
                    png = lossless_png(panel)
                    png_name = panel_filename(panel)
                    _write(temp / png_name, png)
                    files.append(png_name)
                    pngs.setdefault(panel.number, (png_name, hashlib.sha256(png).hexdigest()))
                tick(f"PNG {panel.number}")
        if "contact" in content:
            sheet = contact_sheet(
                board, exported_at, columns=options.columns, tick=lambda: tick("contact sheet")
            )
            sheet.save(temp / "contact-sheet.png", "PNG", optimize=False, compress_level=6)
            files.append("contact-sheet.png")
        if "pdf" in content:
            storyboard_pdf(
                board,
                temp / "storyboard.pdf",
                exported_at,
                per_page=options.per_page,
                page_size=options.page_size,
                tick=lambda: tick("PDF"),
            )
            files.append("storyboard.pdf")
        for kind, animatic in (("gif", animatic_gif), ("mp4", animatic_mp4)):  # the same frames, two files
            if kind in content:
                animatic(
                    board,
                    temp / f"animatic.{kind}",
                    width=options.gif_width,
                    burn_in=options.burn_in,
                    tick=functools.partial(tick, kind.upper()),
                )
                files.append(f"animatic.{kind}")
        if "manifest" in content:
            listing = manifest(board, pngs, exported_at, skipped)
            _write(temp / "manifest.json", manifest_json(listing))
            _write(temp / "manifest.csv", manifest_csv(listing))
            files += ["manifest.json", "manifest.csv"]
        tick("manifest")
        if "zip" in formats:
            zip_name = f"{slugify(board.name, 60, default='board')}-storyboard.zip"
            with zipfile.ZipFile(temp / zip_name, "w") as zf:
                for name in files:  # PNG, GIF and PDF are compressed already: store them, deflate the text
                    packed = name.endswith((".json", ".csv"))
                    zf.write(
                        temp / name,
                        arcname=name,
                        compress_type=zipfile.ZIP_DEFLATED if packed else zipfile.ZIP_STORED,
                    )
            if formats == {"zip"}:
                for name in files:
                    (temp / name).unlink()
                files = []
            files.append(zip_name)
        tick("finishing")
        (temp / PARTIAL_MARK).unlink()
        final = _final_folder(out_dir, board.name)
        os.rename(temp, final)  # atomic on one file system: the folder appears complete or not at all
        return ExportResult(final, files, skipped, loaded)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    finally:
        forget_decoded()
