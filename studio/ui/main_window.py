"""The studio window: prompt editor | storyboard grid | cost meter and jobs, over a Session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QMainWindow,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from studio.core.pricing import format_usd
from studio.state.board_model import PanelRow
from studio.state.session import Session

from .batches_panel import BatchesPanel
from .board_view_tools import BoardViewTools
from .cast_actions import CastActions
from .cast_panel import CastPanel
from .cost_meter import CostMeter
from .dialogs import ask_text
from .docks import SidePanels
from .file_opening import FileOpening
from .grid import PanelGrid
from .jobs_panel import JobsPanel
from .keys import settings_keys
from .panel_actions import PanelActions
from .panel_details import PanelDetails
from .prompt_editor import PromptEditor
from .refine_actions import RefineActions
from .refine_panel import RefinePanel
from .sandbox_banner import SandboxBanner
from .settings_dialog import SettingsDialog
from .viewer import ImageViewer
from .window_fit import available_area, fit_to_screen

if TYPE_CHECKING:
    from .welcome import WelcomePanel

DOCK_LAYOUT_VERSION = (
    5  # 1: the first release's splitter; 2: before Batches; 3: before Refine; 4: before Cast
)


class MainWindow(FileOpening, PanelActions, RefineActions, CastActions, QMainWindow):
    closed = Signal()

    def __init__(self, session: Session, *, data_folder: str = ""):
        super().__init__()
        self.session = session
        self.data_folder = data_folder
        self.viewers: list[ImageViewer] = []
        self.painter_windows: list = []
        self.setAcceptDrops(True)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.banner = SandboxBanner() if session.sandbox else None
        if self.banner is not None:
            outer.addWidget(self.banner)
            self.banner.add_key_requested.connect(self.open_settings)
        self.welcome: WelcomePanel | None = None  # the first-run panel, added by show_welcome()
        self._outer = outer
        self.message = QLabel()
        self.message.setObjectName("messageStrip")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        outer.addWidget(self.message)

        self.editor = PromptEditor(session.prompt, session)
        self.grid = PanelGrid(session.board)
        self.costs = CostMeter(session.costs)
        self.jobs = JobsPanel(session.jobs, session)
        self.details = PanelDetails(session)
        self.batches = BatchesPanel(session.batch_watch)
        self.refine = RefinePanel(session.refine, session.registry, session.thumbnails)
        self.cast_panel = CastPanel(session.cast, session.prompt, session.thumbnails)
        outer.addWidget(self.grid, 1)  # the grid is the centre; the rest are docks around it
        self.setCentralWidget(central)
        self.panels = SidePanels(
            self, self.editor, self.costs, self.details, self.jobs, self.batches, self.refine, self.cast_panel
        )

        self._build_toolbar()
        self._build_actions()
        self._connect()
        self._restore_layout()
        self._board_changed()
        self.editor.prompt.setFocus()

    # -- construction ---------------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        bar = QToolBar("Board")
        bar.setObjectName("boardToolbar")
        self.addToolBar(bar)
        bar.addWidget(QLabel(" Board: "))
        self.board_box = QComboBox()
        self.board_box.setMinimumWidth(200)
        bar.addWidget(self.board_box)
        self.board_toolbar = bar

    def _action(self, text: str, slot, shortcut=None, *, menu=None, on_grid: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if on_grid:  # panel actions: the grid's shortcuts and context menu
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.grid.addAction(action)
        if menu is not None:
            menu.addAction(action)
        return action

    def _build_actions(self) -> None:
        mb = self.menuBar()
        file_menu, edit, view, gen = (
            mb.addMenu("&File"),
            mb.addMenu("&Edit"),
            mb.addMenu("&View"),
            mb.addMenu("&Generate"),
        )
        a = self._action
        self.new_board_action = a("&New board…", self.ask_new_board, "Ctrl+Shift+N", menu=file_menu)
        self.rename_board_action = a("&Rename board…", self.ask_rename_board, menu=file_menu)
        file_menu.addSeparator()
        self.open_image_action = a(
            "&Open image to edit…", self.ask_open_image, QKeySequence.StandardKey.Open, menu=file_menu
        )
        self.save_action = a(
            "&Save image as…", self.save_image_as, QKeySequence.StandardKey.Save, menu=file_menu
        )
        self.export_action = a("&Export board…", self.open_export, "Ctrl+Shift+E", menu=file_menu)
        self.settings_action = a("Se&ttings…", self.open_settings, menu=file_menu)
        self.settings_action.setShortcuts(settings_keys())
        file_menu.addSeparator()
        self.quit_action = a("&Quit", self.close, QKeySequence.StandardKey.Quit, menu=file_menu)
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)

        self.undo_action = self.session.boards.undo.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.session.boards.undo.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        edit.addSeparator()
        self.copy_action = a(
            "&Copy image", self.copy_image, QKeySequence.StandardKey.Copy, menu=edit, on_grid=True
        )
        self.caption_action = a("Edit &caption", self.edit_caption, "F2", menu=edit, on_grid=True)
        self.star_action = a("&Star / unstar", self.toggle_star, "S", menu=edit, on_grid=True)
        self.delete_action = a(
            "&Delete panel", self.delete_panel, QKeySequence.StandardKey.Delete, menu=edit, on_grid=True
        )
        self.paint_action = a("Edit with &mask…", self.open_painter, "Ctrl+E", menu=edit, on_grid=True)
        self.refine_action = a(
            "Re&fine in conversation", self.show_refine, "Ctrl+Shift+F", menu=edit, on_grid=True
        )
        self.build_cast_actions(edit, gen)
        edit.addSeparator()
        self.blank_action = a("Insert &blank panel", self.add_blank_panel, "Ctrl+B", menu=edit, on_grid=True)
        self.duplicate_action = a("D&uplicate panel", self.duplicate_panel, "Ctrl+D", menu=edit, on_grid=True)
        self.empty_trash_action = a("Empty &trash", self.session.boards.empty_trash, menu=edit)

        self.open_action = a("&Open panel", self.open_panel, "Return", menu=view, on_grid=True)
        self.reveal_action = a("&Reveal file", self.reveal_file, menu=view, on_grid=True)
        self.compare_action = a("Co&mpare panels", self.compare_panels, "C", menu=view, on_grid=True)
        self.animatic_action = a("Play &animatic", self.play_animatic, "F5", menu=view)
        self.focus_action = a("Go to the &board / the prompt", self.toggle_focus, "F6", menu=view)
        view.addSeparator()
        self.panels.add_to(view)
        view.addSeparator()
        self.view_tools = BoardViewTools(self, self.grid, self.board_toolbar, view)

        self.generate_action = a("&Generate", self.generate, "Ctrl+Return", menu=gen)
        self.generate_action.setShortcutContext(
            Qt.ShortcutContext.WindowShortcut
        )  # the painter's Ctrl+Return edits
        self.reroll_action = a("&Re-roll panel", self.reroll, "Ctrl+R", menu=gen, on_grid=True)
        self.reroll_refs_action = a(
            "Re-roll with re&ferences",
            lambda: self.reroll(with_references=True),
            "Ctrl+Shift+R",
            menu=gen,
            on_grid=True,
        )
        help_menu = mb.addMenu("&Help")
        self.shortcuts_action = a("&Keyboard shortcuts", self.show_shortcuts, menu=help_menu)
        self.shortcuts_action.setShortcuts([QKeySequence("Ctrl+/"), QKeySequence("F1")])
        self.board_toolbar.insertAction(self.board_toolbar.actions()[2], self.new_board_action)
        self.board_toolbar.insertAction(self.board_toolbar.actions()[3], self.rename_board_action)

    def _connect(self) -> None:
        s = self.session
        self.editor.generate_requested.connect(self.generate)
        self.editor.batch_requested.connect(self.send_batch)
        s.batch_watch.sent.connect(self.show_error)
        s.batch_watch.finished.connect(self.show_error)  # a batch ended: the strip, and the taskbar's
        s.batch_watch.finished.connect(lambda _: QApplication.alert(self))  # attention when elsewhere
        s.error.connect(self.show_error)
        s.notice.connect(self.show_error)
        s.generator.opaque_offered.connect(self.offer_opaque)
        s.tasks.failed.connect(self.show_failure)
        s.boards.board_changed.connect(self._board_changed)
        s.endpoint_changed.connect(self._endpoint_changed)
        s.boards.boards_changed.connect(self._fill_boards)
        self.board_box.activated.connect(
            lambda i: s.tasks.start(s.boards.select(self.board_box.itemText(i)), "Switching boards")
        )
        self.grid.doubleClicked.connect(lambda index: self.open_panel())
        self.grid.selectionModel().currentChanged.connect(lambda *_: self._current_changed())
        s.refine.transparency_refused.connect(self.offer_images_api)
        self.refine.open_file_requested.connect(self.ask_refine_file)
        self.connect_cast()
        s.board.modelReset.connect(lambda: self.details.show_row(self._row()))
        self._fill_boards()

    # -- state -> view --------------------------------------------------------------------------

    def _board_changed(self) -> None:
        self.setWindowTitle(f"Asset Studio — {self.session.boards.board_name or 'Untitled board'}")
        self._fill_boards()

    def _fill_boards(self) -> None:
        names = [b["name"] for b in self.session.boards.all]
        if [self.board_box.itemText(i) for i in range(self.board_box.count())] != names:
            self.board_box.clear()
            self.board_box.addItems(names)
        self.board_box.setCurrentText(self.session.boards.board_name)

    def show_error(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(True)
        self.statusBar().showMessage(text, 15000)
        QTimer.singleShot(
            15000,
            self.message,
            lambda: self.message.setVisible(False) if self.message.text() == text else None,
        )

    def show_failure(self, text: str, started_by: object) -> None:
        """A failed action, shown in the window that started it (the painter, a dialog) when it is open,
        else here."""
        window = started_by.window() if isinstance(started_by, QWidget) else None
        show = getattr(window, "show_message", None)
        if window is not None and window is not self and window.isVisible() and callable(show):
            show(text)
        else:
            self.show_error(text)

    def offer_opaque(self, request, why: str) -> None:
        """One click sends the same request with an opaque background; nothing is sent without it."""
        self.opaque_box = self._ask_to_send(
            "Transparent background refused",
            request,
            lambda q: (
                f"{why}\n\nSend the same request with an opaque background? "
                f"Quote: at most {format_usd(q.total_usd_max)}."
            ),
            lambda: self.session.generator.send(request),
            ok_text="Send opaque",
        )

    # -- actions --------------------------------------------------------------------------------

    def generate(self) -> None:
        """The prompt now: its one request, or every variant of a template ({a|b}, CSV rows)."""
        self.message.setVisible(False)
        v = self.session.variants
        if v.error:
            self.show_error(v.error)
        else:
            (self.session.batch_watch.send_now if v.active else self.session.generator.generate)()

    def send_batch(self) -> None:
        self.message.setVisible(False)
        self.session.batch_watch.send_batch()
        self.panels.batches.show()
        self.panels.batches.raise_()

    def _row(self) -> PanelRow | None:
        row = self.grid.current_row()
        return row if row is not None and not row.pending else None

    def show_welcome(self) -> None:
        """The first-run panel (inside the window, above the message strip); the prompt keeps focus."""
        from .welcome import WelcomePanel

        welcome = self.welcome
        if welcome is None:
            self.key_setup = self.session.key_setup(self)
            welcome = self.welcome = WelcomePanel(self.session, self.key_setup)
            self._outer.insertWidget(1 if self.banner is not None else 0, welcome)
            self.key_setup.refresh()
        welcome.show()
        self.editor.prompt.setFocus()

    def _endpoint_changed(self) -> None:
        if self.banner is not None:
            self.banner.setVisible(self.session.sandbox)

    def open_export(self) -> None:
        from .export_dialog import ExportDialog

        if getattr(self, "export_dialog", None) is None:
            self.exporter = self.session.exporter(self)
            self.export_dialog = ExportDialog(
                self.exporter, self.session.boards.board_name, self, chosen=self._export_choice
            )
        self.export_dialog.refresh_choice()
        self.export_dialog.setWindowTitle(f"Export board — {self.session.boards.board_name}")
        self.export_dialog.show()  # modeless: the window stays usable while it exports

    def _export_choice(self) -> tuple[list[int], list[int]]:
        """(selected, starred) panel ids of the board, in board order, for the export dialog."""
        selected = [panel_id for panel_id, _ in self._chosen()]  # the dialog offers it for 2 or more
        starred = [
            r.panel_id for r in self.grid.board_model.rows if r.panel_id and r.starred and not r.pending
        ]
        return selected, starred

    def _ask(self, title: str, label: str, text: str, done) -> None:
        self.input_dialog = ask_text(self, title, label, text, done)

    def ask_new_board(self) -> None:
        s = self.session
        self._ask(
            "New board",
            "Name of the new board:",
            "",
            lambda name: s.tasks.start(s.boards.select(name), "Creating the board"),
        )

    def ask_rename_board(self) -> None:
        s = self.session
        self._ask(
            "Rename board",
            "New name:",
            s.boards.board_name,
            lambda name: s.tasks.start(s.boards.rename(name), "Renaming the board"),
        )

    def toggle_focus(self) -> None:
        """F6: from the prompt side to the board, and back (the prompt's dock is raised if tabbed)."""
        if self.grid.hasFocus():
            self.panels.prompt.show()
            self.panels.prompt.raise_()
            self.editor.prompt.setFocus()
        else:
            self.grid.setFocus()
            if not self.grid.currentIndex().isValid() and self.grid.board_model.rowCount():
                self.grid.setCurrentIndex(self.grid.board_model.index(0))

    def show_shortcuts(self) -> None:
        from .shortcuts_sheet import ShortcutsSheet

        self.shortcuts_sheet = ShortcutsSheet(self.menuBar(), self)
        self.shortcuts_sheet.open()

    def open_settings(self) -> None:
        self.settings_dialog = SettingsDialog(self.session, self.data_folder, self)
        self.settings_dialog.open()

    # -- layout persistence and quitting --------------------------------------------------------

    def _restore_layout(self) -> None:
        """The remembered size and dock arrangement, fitted to the screen it opens on; the first time, a
        size and arrangement for this screen."""
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            area = available_area(self)  # a large screen gets a larger first window
            self.resize(max(1400, area.width() * 2 // 3), max(860, area.height() * 3 // 4))
        state = settings.value("window/state")
        if state is None or not self.restoreState(state, DOCK_LAYOUT_VERSION):
            self.panels.default_layout(available_area(self))
        fit_to_screen(self)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt naming)
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState(DOCK_LAYOUT_VERSION))
        self.closed.emit()
        super().closeEvent(event)
