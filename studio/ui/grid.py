"""The storyboard grid: panels in order, drag to reorder, edit captions in place."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QKeyEvent, QMouseEvent, QMovie, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from studio.core.pricing import format_usd
from studio.core.text import format_bytes
from studio.state.board_model import BoardModel, PanelRow

CAPTION_H = 44
MIN_EDGE, MAX_EDGE = 96, 512
TILE_EXTRA = 16 + 2 * 4  # the card's padding around the art, and the view's spacing

# PySide6 creates its enum types on first use (~2 ms each): here, at import, instead of in the first
# paint of a generation's placeholders (where the profiler saw 9 ms of it)
CENTER, ELIDE_RIGHT, SMOOTH_PIXMAPS = (
    Qt.AlignmentFlag.AlignCenter,
    Qt.TextElideMode.ElideRight,
    QPainter.RenderHint.SmoothPixmapTransform,
)
TOP_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
BOTTOM_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom
HIGHLIGHT, MID, BASE, ALTERNATE_BASE = (
    QPalette.ColorRole.Highlight,
    QPalette.ColorRole.Mid,
    QPalette.ColorRole.Base,
    QPalette.ColorRole.AlternateBase,
)
TEXT, PLACEHOLDER = QPalette.ColorRole.Text, QPalette.ColorRole.PlaceholderText
SELECTED = QStyle.StateFlag.State_Selected


class PanelDelegate(QStyledItemDelegate):
    def __init__(self, view: PanelGrid):
        super().__init__(view)
        self.view = view
        self._pixmaps: dict[tuple[int, int, int], QPixmap] = {}

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        edge = self.view.thumb_edge
        return QSize(edge + 16, int(edge * 0.75) + CAPTION_H + 16)

    def _fitted(self, image: QImage, size: QSize) -> QPixmap:
        """The thumbnail scaled (smoothly, once) to the tile: repaints only blit it."""
        key = (image.cacheKey(), size.width(), size.height())
        pixmap = self._pixmaps.get(key)
        if pixmap is None:
            if len(self._pixmaps) > 256:
                self._pixmaps.clear()
            pixmap = QPixmap.fromImage(
                image.scaled(
                    size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )
            self._pixmaps[key] = pixmap
        return pixmap

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        row: PanelRow = index.data(BoardModel.RowRole)
        pal = option.palette
        painter.save()
        painter.setRenderHint(SMOOTH_PIXMAPS)
        card = option.rect.adjusted(4, 4, -4, -4)
        selected = bool(option.state & SELECTED)
        painter.setPen(pal.color(HIGHLIGHT) if selected else pal.color(MID))
        painter.setBrush(pal.color(BASE))
        painter.drawRoundedRect(card, 6, 6)
        art = QRect(card.left() + 4, card.top() + 4, card.width() - 8, card.height() - CAPTION_H - 8)
        image: QImage | None = index.data(Qt.ItemDataRole.DecorationRole)
        frame = self.view.playing_frame(row.path)
        if frame is not None:  # a GIF playing under the mouse or in the selection: its current frame
            pixmap = QPixmap.fromImage(
                frame.scaled(
                    art.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )
            target = QRect(0, 0, pixmap.width(), pixmap.height())
            target.moveCenter(art.center())
            painter.drawPixmap(target.topLeft(), pixmap)
        elif image is not None and not image.isNull():
            pixmap = self._fitted(image, art.size())
            target = QRect(0, 0, pixmap.width(), pixmap.height())
            target.moveCenter(art.center())
            painter.drawPixmap(target.topLeft(), pixmap)
        else:
            painter.fillRect(art, pal.color(ALTERNATE_BASE))
            if not row.pending and not row.path and row.waiting:  # a batch's placeholder: it fills in
                painter.setPen(pal.color(TEXT))
                words = art.adjusted(12, 12, -12, -12)
                painter.drawText(
                    words, CENTER | Qt.TextFlag.TextWordWrap, f"In a batch, waiting\n\n{row.waiting}"
                )
            elif not row.pending and not row.path:  # a blank panel: a shot planned, to fill later
                painter.setPen(pal.color(TEXT))
                painter.drawText(art, CENTER, "Blank panel\nplan its shot, caption and duration")
        if row.pending or row.state in ("refining", "partial"):  # a refine turn shows on its panel
            generating = f"receiving {format_bytes(row.received)}" if row.received else "generating…"
            label = {
                "refining": "refining…",
                "queued": "queued",
                "generating": generating,
                "partial": f"partial {row.step}/{row.steps or row.step}",
            }.get(row.state, row.state)
            badge = QRect(art.left() + 6, art.top() + 6, 120, 22)
            painter.fillRect(badge, QColor(0, 0, 0, 150))
            painter.setPen(QColor("white"))
            painter.drawText(badge, CENTER, label)
        if row.problem:  # kept as received, but not a usable image: said on the panel, skipped by exports
            badge = QRect(art.left() + 6, art.top() + 6, min(art.width() - 12, 150), 22)
            painter.fillRect(badge, QColor(183, 28, 28, 220))
            painter.setPen(QColor("white"))
            painter.drawText(badge, CENTER, "⚠ not a usable image")
        kind = _kind(row.path)
        if kind:
            badge = QRect(art.right() - 44, art.bottom() - 24, 40, 20)
            painter.fillRect(badge, QColor(0, 0, 0, 160))
            painter.setPen(QColor("white"))
            painter.drawText(badge, CENTER, kind)
        if row.starred:
            painter.setPen(QColor("#f9a825"))
            painter.drawText(QRect(art.right() - 28, art.top() + 4, 24, 24), CENTER, "★")
        text_rect = QRect(card.left() + 8, art.bottom() + 4, card.width() - 16, CAPTION_H - 4)
        painter.setPen(pal.color(TEXT))
        caption = row.caption or ("" if row.pending else "(double-click or F2 to caption)")
        first = f"{index.row() + 1}. {caption}"
        painter.drawText(
            text_rect, TOP_LEFT, painter.fontMetrics().elidedText(first, ELIDE_RIGHT, text_rect.width())
        )
        if row.cost_usd is not None:
            cost = f"{format_usd(row.cost_usd)}{' (sandbox)' if row.sandbox else ''}"
            painter.setPen(pal.color(PLACEHOLDER))
            painter.drawText(text_rect, BOTTOM_LEFT, cost)
        painter.restore()

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QWidget:  # noqa: N802
        editor = CaptionEditor(parent)
        editor.setAccessibleName("Caption")
        return editor

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:  # noqa: N802
        r = option.rect.adjusted(8, option.rect.height() - CAPTION_H - 6, -8, -CAPTION_H // 2)
        editor.setGeometry(r)


class CaptionEditor(QLineEdit):
    """The in-place caption box: Return commits and Esc cancels here, never reaching the grid's shortcuts
    (Return there opens the viewer, S stars)."""

    def event(self, event: QEvent) -> bool:
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.ShortcutOverride:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape):
                event.accept()
                return True
        return super().event(event)


def _kind(path: str | None) -> str:
    lowered = (path or "").lower()
    return "GIF" if lowered.endswith(".gif") else "SVG" if lowered.endswith(".svg") else ""


class PanelGrid(QListView):
    def __init__(self, model: BoardModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.target_edge = 224  # the tile size the user chose (slider, Ctrl+= / Ctrl+-)
        self.thumb_edge = 224  # the size drawn: the chosen one, stretched so the columns fill the width
        self.starred_only = False
        self._movie: QMovie | None = None  # the GIF panel playing (under the mouse, else the current one)
        self._movie_path: str | None = None
        self.setModel(model)
        self.setObjectName("panelGrid")
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        # a board of thousands is laid out in batches across event-loop turns: each insert re-lays out every
        # item, asking the (Python) model for its row count each time (75,000 calls as ten results landed on
        # a 1,000-panel board, measured with bench/scale.py). 64 a turn: with 200, one batch could hold the
        # GUI thread 10-23 ms as results landed; with 64, 5-11 ms (the 10-panel board's figure)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(64)
        self.setSpacing(4)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDropIndicatorShown(True)
        # captions are edited from F2 or a double-click on the caption only: a click on a selected tile, or a
        # key like S (star), never starts an edit that the next key press would replace
        self.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setItemDelegate(PanelDelegate(self))
        self.setAccessibleName("Storyboard panels")
        self.setAccessibleDescription(
            "Arrow keys move, Return opens, S stars, F2 captions, C compares, Delete removes"
        )
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self._keep: int | None = None
        self.setMouseTracking(True)
        self.entered.connect(self._play)
        model.modelAboutToBeReset.connect(self._remember_current)
        model.modelReset.connect(self._restore_current)
        # the vertical bar is always there, so the width the columns share never changes as it comes and goes
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        model.rowsInserted.connect(self._inserted)
        model.modelReset.connect(self._apply_filter)
        model.dataChanged.connect(self._changed)  # a method, not a lambda: disconnected with the grid

    def caption_rect(self, index: QModelIndex | QPersistentModelIndex) -> QRect:
        """Where a tile's caption text is drawn (view coordinates)."""
        tile = self.visualRect(index).adjusted(4, 4, -4, -4)
        return QRect(tile.left(), tile.bottom() - CAPTION_H, tile.width(), CAPTION_H)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt naming)
        """A double-click on the caption edits it; anywhere else on the tile opens the viewer."""
        index = self.indexAt(event.position().toPoint())
        row = index.data(BoardModel.RowRole) if index.isValid() else None
        on_caption = self.caption_rect(index).contains(event.position().toPoint())
        if row is not None and not row.pending and on_caption:
            self.setCurrentIndex(index)
            self.edit(index)
            return
        super().mouseDoubleClickEvent(event)

    def currentChanged(
        self, current: QModelIndex | QPersistentModelIndex, previous: QModelIndex | QPersistentModelIndex
    ) -> None:  # noqa: N802
        super().currentChanged(current, previous)
        self._play(current)

    def leaveEvent(self, event) -> None:  # noqa: N802
        super().leaveEvent(event)
        self._play(self.currentIndex())

    def _play(self, index: QModelIndex | QPersistentModelIndex) -> None:
        """Animate a GIF panel in place; any other panel stops the animation."""
        row = index.data(BoardModel.RowRole) if index.isValid() else None
        path = row.path if row is not None and not row.pending and _kind(row.path) == "GIF" else None
        if path == self._movie_path:
            return
        if self._movie is not None:
            self._movie.stop()
            self._movie.deleteLater()
        self._movie, self._movie_path = None, path
        if path is not None:
            self._movie = QMovie(path, parent=self)
            self._movie.frameChanged.connect(lambda _: self.viewport().update())
            self._movie.start()

    def playing_frame(self, path: str | None) -> QImage | None:
        if self._movie is None or path is None or path != self._movie_path:
            return None
        frame = self._movie.currentImage()
        return None if frame.isNull() else frame

    def _remember_current(self) -> None:
        row = self.current_row()
        self._keep = row.panel_id if row is not None else None

    @property
    def board_model(self) -> BoardModel:
        model = self.model()
        assert isinstance(model, BoardModel)
        return model

    def _restore_current(self) -> None:
        """A reload from the library keeps the selected panel selected."""
        model = self.board_model
        row = model.row_of_panel(self._keep) if self._keep is not None else None
        if row is not None:
            self.setCurrentIndex(model.index(row))

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().paintEvent(event)
        if self.model().rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                self.viewport().rect(),
                Qt.AlignmentFlag.AlignCenter,
                "This board is empty.\nType a prompt and press Ctrl+Return: one call fills up to 10 panels.\n"
                "F2 or a double-click on a caption edits it, drag to reorder, Return opens a panel.",
            )
            painter.end()

    def set_thumb_edge(self, edge: int) -> None:
        """The tile size the user wants; the grid stretches it a little so whole columns fill the width."""
        self.target_edge = max(MIN_EDGE, min(edge, MAX_EDGE))
        self._fit_columns()

    @property
    def columns(self) -> int:
        """As many columns as tiles of about the chosen size fit (rounded: a tile may shrink or grow by up
        to a third rather than leave a column's width blank)."""
        return max(1, round(self._free_width() / (self.target_edge + TILE_EXTRA)))

    def _free_width(self) -> int:
        return self.viewport().width() - 2 * self.spacing() - 2

    def _fit_columns(self) -> None:
        edge = self._free_width() // self.columns - TILE_EXTRA
        edge = max(MIN_EDGE, min(edge, int(self.target_edge * 1.6)))
        if edge != self.thumb_edge:
            self.thumb_edge = edge
            self.model().layoutChanged.emit()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        self._fit_columns()

    def _inserted(self, _parent, first: int, last: int) -> None:
        """New results (placeholders of a job just sent) scroll into view, wherever they were placed."""
        if self.starred_only:
            self._apply_filter(first, last)
        row = self.board_model.rows[first] if first < len(self.board_model.rows) else None
        if row is not None and row.pending:
            QTimer.singleShot(0, self, lambda: self.scrollTo(self.board_model.index(first)))

    def dataChanged(  # noqa: N802 (Qt naming)
        self,
        top: QModelIndex | QPersistentModelIndex,
        bottom: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        """One tile changed (a result landed, a star): that tile is repainted alone. QListView repaints the
        whole viewport for any change, even of a row scrolled out of sight: a 500-image batch landing
        repainted all 20 visible tiles 400 times (bench/batch.py). Ranges, and a row being edited (its
        editor takes the new data), go through Qt."""
        if top.row() == bottom.row() and self.state() != QAbstractItemView.State.EditingState:
            rect = self.visualRect(top)
            if rect.intersects(self.viewport().rect()):
                self.viewport().update(rect)
            return
        super().dataChanged(top, bottom, list(roles))

    def _changed(self, top: QModelIndex, bottom: QModelIndex, _roles: object = None) -> None:
        """A star may have changed: only the filter cares (thumbnail batches land here while scrolling; with
        the filter off nothing is hidden, and turning it off showed every row)."""
        if self.starred_only:
            self._apply_filter(top.row(), bottom.row())

    def set_starred_only(self, on: bool) -> None:
        """Show only the starred panels (placeholders of running jobs stay visible)."""
        self.starred_only = on
        self._apply_filter()

    def _apply_filter(self, first: int = 0, last: int | None = None) -> None:
        rows = self.board_model.rows
        last = len(rows) - 1 if last is None else min(last, len(rows) - 1)
        for i in range(first, last + 1):
            hide = self.starred_only and not rows[i].pending and not rows[i].starred
            if self.isRowHidden(i) != hide:
                self.setRowHidden(i, hide)

    def current_row(self) -> PanelRow | None:
        index = self.currentIndex()
        return index.data(BoardModel.RowRole) if index.isValid() else None

    def selected_rows(self) -> list[PanelRow]:
        """The selected panels in board order (Ctrl/Shift-click selects several)."""
        indexes = sorted(self.selectionModel().selectedIndexes(), key=lambda i: i.row())
        return [i.data(BoardModel.RowRole) for i in indexes]
