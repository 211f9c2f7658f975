"""The current board's panels as a list model: saved panels from the library plus placeholders for
images still being generated (queued, generating, streaming partial images)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from studio.core.panel_fields import MAX_DURATION_S, SHOT_TYPES

from .thumbnails import ThumbnailCache

__all__ = [
    "MAX_DURATION_S",
    "SHOT_TYPES",
    "BoardModel",
    "PanelRow",
]  # storyboard fields, for the panel editor

MIME = "application/x-asset-studio-panel"


@dataclass(frozen=True)
class PanelRow:
    key: str  # "p<panel id>" or "j<job id>:<index>"
    panel_id: int | None = None
    caption: str = ""
    path: str | None = None  # the saved image, or the newest partial preview
    starred: bool = False
    state: str = "saved"  # saved | queued | generating | partial | failed
    step: int = 0
    steps: int = 0
    cost_usd: Decimal | None = None
    sandbox: bool = False
    job_id: str | None = None
    index: int = 0
    width: int | None = None
    height: int | None = None
    shot: str = ""
    duration: float = 2.0
    notes: str = ""
    version: int = 1
    received: int = 0  # bytes of the answer so far, while generating
    problem: str | None = None  # kept as received but not a usable image (does not decode, wrong size)
    waiting: str | None = None  # a Batch API line's placeholder: its prompt, until the batch is fetched

    @property
    def pending(self) -> bool:
        return self.panel_id is None


def _waiting(p: dict[str, Any]) -> bool:
    """A blank panel whose batch line has not settled: it will fill in when the batch is fetched."""
    return (
        not p.get("path") and bool(p.get("batch_id")) and p.get("job_state") in ("queued", "sent", "received")
    )


class BoardModel(QAbstractListModel):
    PanelIdRole = Qt.ItemDataRole.UserRole + 1
    StateRole = Qt.ItemDataRole.UserRole + 2
    RowRole = Qt.ItemDataRole.UserRole + 3

    caption_edited = Signal(int, str)  # panel id, caption
    move_requested = Signal(int, int)  # panel id, new index

    def __init__(self, thumbnails: ThumbnailCache, parent: QObject | None = None):
        super().__init__(parent)
        self.thumbnails = thumbnails
        self.rows: list[PanelRow] = []
        self._before_progress: dict[int, PanelRow] = {}  # panels a refine turn shows its progress on
        thumbnails.ready.connect(self._thumbnail_ready)

    # -- filling --------------------------------------------------------------------------------

    @staticmethod
    def row_from_library(p: dict[str, Any]) -> PanelRow:
        """A panel's row as the library gives it (library.panels / panel_view)."""
        n = p.get("n") or 1
        cost = Decimal(p["billed_usd"]) / n if p.get("billed_usd") else None
        return PanelRow(
            key=f"p{p['id']}",
            panel_id=p["id"],
            caption=p.get("caption") or "",
            path=p.get("path"),
            starred=bool(p.get("starred")),
            cost_usd=cost,
            sandbox=bool(p.get("sandbox")),
            job_id=p.get("job_id"),
            width=p.get("width"),
            height=p.get("height"),
            shot=p.get("shot") or "",
            duration=float(p.get("duration") or 2.0),
            notes=p.get("notes") or "",
            version=int(p.get("version") or 1),
            problem=p.get("problem"),
            waiting=p.get("job_prompt") if _waiting(p) else None,
        )

    def set_panels(self, panels: list[dict[str, Any]]) -> None:
        """Replace the saved panels (from the library), keeping placeholders of running jobs at the end.
        For a board switch or a reload; results landing use `land`, which changes one row."""
        new = [self.row_from_library(p) for p in panels]
        saved = [i for i, r in enumerate(self.rows) if not r.pending]
        if [self.rows[i].key for i in saved] == [r.key for r in new]:
            # the same panels in the same order (a caption, a star, a field saved): the changed rows only,
            # so an open caption editor, the selection and the scroll position stay, and a board of
            # thousands is not laid out again
            for i, row in zip(saved, new, strict=True):
                if row != self.rows[i]:
                    self.rows[i] = row
                    self.dataChanged.emit(self.index(i), self.index(i))
            return
        pending = [r for r in self.rows if r.pending]
        self.beginResetModel()
        self.rows = new + pending
        self.endResetModel()

    def add_pending(
        self, job_id: str, first_index: int, n: int, steps: int, *, after_panel: int | None = None
    ) -> None:
        """Placeholders for a job's images: at the end, or right after a panel (and the placeholders already
        there), where a re-roll's results will land."""
        start = len(self.rows)
        anchor = self.row_of_panel(after_panel) if after_panel is not None else None
        if anchor is not None:
            start = anchor + 1
            while start < len(self.rows) and self.rows[start].pending:
                start += 1
        self.beginInsertRows(QModelIndex(), start, start + n - 1)
        self.rows[start:start] = [
            PanelRow(
                key=f"j{job_id}:{first_index + i}",
                state="queued",
                steps=steps,
                job_id=job_id,
                index=first_index + i,
            )
            for i in range(n)
        ]
        self.endInsertRows()

    def land(self, job_id: str, index: int, panel: dict[str, Any]) -> None:
        """A result became a panel: its placeholder turns into it in place (one row changes, nothing is
        reset);
        without a placeholder (started elsewhere) it is inserted at its position among the saved panels."""
        new = self.row_from_library(panel)
        row = self.row_of_panel(panel["id"])
        if row is None:
            row = next(
                (i for i, r in enumerate(self.rows) if r.pending and r.job_id == job_id and r.index == index),
                None,
            )
        if row is not None:
            self.rows[row] = new
            self.dataChanged.emit(self.index(row), self.index(row))
            return
        saved = [i for i, r in enumerate(self.rows) if not r.pending]
        position = int(panel.get("position", len(saved)))
        at = saved[position] if position < len(saved) else (saved[-1] + 1 if saved else 0)
        self.beginInsertRows(QModelIndex(), at, at)
        self.rows.insert(at, new)
        self.endInsertRows()

    def update_panel(self, panel: dict[str, Any]) -> None:
        """A panel changed (a new current version): that row only."""
        row = self.row_of_panel(panel["id"])
        if row is not None:
            self.rows[row] = self.row_from_library(panel)
            self.dataChanged.emit(self.index(row), self.index(row))

    def show_progress(self, panel_id: int, **changes: Any) -> None:
        """A panel's tile while a refine turn works on it (its stage, its partial image); end_progress()
        puts back what it showed unless a new version has replaced it meanwhile."""
        row = self.row_of_panel(panel_id)
        if row is not None:
            self._before_progress.setdefault(panel_id, self.rows[row])
            self.rows[row] = replace(self.rows[row], **changes)
            self.dataChanged.emit(self.index(row), self.index(row))

    def end_progress(self, panel_id: int) -> None:
        before = self._before_progress.pop(panel_id, None)
        row = self.row_of_panel(panel_id)
        if before is not None and row is not None and self.rows[row].state in ("refining", "partial"):
            self.rows[row] = before
            self.dataChanged.emit(self.index(row), self.index(row))

    def update_pending(self, job_id: str, index: int | None = None, **changes: Any) -> None:
        for row, r in enumerate(self.rows):
            if r.pending and r.job_id == job_id and (index is None or r.index == index):
                self.rows[row] = replace(r, **changes)
                self.dataChanged.emit(self.index(row), self.index(row))

    def drop_pending(self, job_id: str, index: int | None = None) -> None:
        for row in reversed(range(len(self.rows))):
            r = self.rows[row]
            if r.pending and r.job_id == job_id and (index is None or r.index == index):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self.rows[row]
                self.endRemoveRows()

    def row_of_panel(self, panel_id: int) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.panel_id == panel_id), None)

    def move_local(self, panel_id: int, new_index: int) -> None:
        """Show a move at once (the library is updated by the session)."""
        src = self.row_of_panel(panel_id)
        saved = sum(1 for r in self.rows if not r.pending)
        dst = max(0, min(new_index, saved - 1))
        if src is None or src == dst:
            return
        self.beginMoveRows(QModelIndex(), src, src, QModelIndex(), dst + (1 if dst > src else 0))
        self.rows.insert(dst, self.rows.pop(src))
        self.endMoveRows()

    def _thumbnail_ready(self, paths: list[str]) -> None:
        """Thumbnails arrived: one pass over the rows for the whole batch, one signal per run of rows."""
        wanted = set(paths)
        rows = [i for i, r in enumerate(self.rows) if r.path in wanted]
        start = None
        for k, row in enumerate(rows):
            start = row if start is None else start
            if k + 1 == len(rows) or rows[k + 1] != row + 1:
                self.dataChanged.emit(self.index(start), self.index(row), [Qt.ItemDataRole.DecorationRole])
                start = None

    # -- QAbstractListModel ---------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        r = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return r.caption
        if role == Qt.ItemDataRole.DecorationRole:
            return self.thumbnails.get(r.path)
        if role == Qt.ItemDataRole.ToolTipRole:
            if r.problem:
                return f"{r.path}\nKept as received, but {r.problem}: exports skip it (re-roll or delete it)"
            return r.path or r.state
        if role == self.PanelIdRole:
            return r.panel_id
        if role == self.StateRole:
            return r.state
        if role == self.RowRole:
            return r
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        r = self.rows[index.row()]
        if r.panel_id is None:
            return False
        text = str(value).strip()
        self.rows[index.row()] = replace(r, caption=text)
        self.dataChanged.emit(index, index)
        self.caption_edited.emit(r.panel_id, text)
        return True

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        r = self.rows[index.row()]
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not r.pending:
            flags |= Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:  # noqa: N802
        data = QMimeData()
        ids = [
            str(self.rows[i.row()].panel_id) for i in indexes if i.isValid() and self.rows[i.row()].panel_id
        ]
        data.setData(MIME, QByteArray(",".join(ids).encode()))
        return data

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:  # noqa: N802
        if not data.hasFormat(MIME):
            return False
        ids = [int(x) for x in bytes(data.data(MIME).data()).decode().split(",") if x]
        if not ids:
            return False
        target = row if row >= 0 else (parent.row() if parent.isValid() else len(self.rows))
        src = self.row_of_panel(ids[0])
        if src is not None and src < target:
            target -= 1
        self.move_requested.emit(ids[0], target)
        return False  # the move is done by the session (library first), not by removing rows here
