"""File ▸ Export board…: formats, layout, page size, animatic width, caption burn-in, destination;
a progress bar with cancel; the finished folder can be revealed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.state.exporter import FORMATS, Exporter, ExportOptions

FORMAT_LABELS = {
    "png": "PNG per panel (lossless)",
    "contact": "Contact sheet (PNG)",
    "pdf": "PDF storyboard",
    "gif": "GIF animatic",
    "mp4": "MP4 animatic (H.264 video)",
    "manifest": "Manifest (JSON + CSV)",
    "zip": "ZIP of everything",
}


def default_folder() -> str:
    """Documents when the system has that folder, else home: a folder that exists (none is created)."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return documents if documents and Path(documents).is_dir() else str(Path.home())


class ExportDialog(QDialog):
    """`chosen()` gives the grid's (selected panel ids, starred panel ids) when the dialog is opened or an
    export starts, for "Only the selected / starred panels"."""

    def __init__(
        self,
        exporter: Exporter,
        board_name: str,
        parent: QWidget | None = None,
        chosen: Callable[[], tuple[list[int], list[int]]] | None = None,
    ):
        super().__init__(parent)
        self.exporter = exporter
        self.setWindowTitle(f"Export board — {board_name}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        layout = QVBoxLayout(self)
        box = QGroupBox("Formats")
        bl = QGridLayout(box)  # two columns: the dialog fits a short screen (800×500 at scale 2)
        self.checks = {}
        for k, fmt in enumerate(FORMATS):
            self.checks[fmt] = QCheckBox(FORMAT_LABELS[fmt])
            self.checks[fmt].setChecked(True)
            bl.addWidget(self.checks[fmt], k // 2, k % 2)
        layout.addWidget(box)
        form = QFormLayout()
        self.chosen = chosen or (lambda: ([], []))
        self.which = QComboBox()
        self.which.setAccessibleName("Which panels")
        form.addRow("&Panels", self.which)
        self.refresh_choice()
        self.per_page = QComboBox()
        for n, label in ((6, "3 × 2 per page"), (4, "2 × 2 per page"), (1, "1 per page")):
            self.per_page.addItem(label, n)
        self.page_size = QComboBox()
        self.page_size.addItems(["A4", "Letter"])
        self.columns = QSpinBox()
        self.columns.setRange(0, 10)
        self.columns.setSpecialValueText("auto")
        self.gif_width = QSpinBox()
        self.gif_width.setRange(64, 3840)
        self.gif_width.setValue(640)
        self.gif_width.setSuffix(" px")
        self.burn_in = QCheckBox("Burn captions into the animatic")
        self.burn_in.setChecked(True)
        dest_row = QHBoxLayout()
        self.destination = QLineEdit(default_folder())
        self.destination.setAccessibleName("Export into folder")
        self._typed = False
        self.destination.textEdited.connect(lambda _: setattr(self, "_typed", True))
        exporter.recall_folder(self._recalled, self)  # where the last export went, when it still exists
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        dest_row.addWidget(self.destination, 1)
        dest_row.addWidget(browse)
        form.addRow("PDF layout", self.per_page)
        form.addRow("PDF page size", self.page_size)
        form.addRow("Contact sheet columns", self.columns)
        form.addRow("Animatic width (GIF, MP4)", self.gif_width)
        form.addRow("", self.burn_in)
        into = QLabel("Export &into")  # Alt+I
        into.setBuddy(self.destination)
        form.addRow(into, dest_row)
        layout.addLayout(form)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.reveal_button = QPushButton("Reveal in file manager")
        self.reveal_button.setVisible(False)
        buttons.addWidget(self.reveal_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.export_button)
        layout.addLayout(buttons)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self._cancel)
        self.reveal_button.clicked.connect(self.reveal)
        exporter.progress.connect(self._progress)
        exporter.finished.connect(self._finished)
        exporter.skipped.connect(self._skipped)
        self._skipped_text = ""
        exporter.cancelled.connect(lambda: self._done("Cancelled: nothing was written."))
        exporter.failed.connect(lambda text: self._done(f"Export failed: {text}"))

    def refresh_choice(self) -> None:
        """All panels, or the selected or starred ones (counted now)."""
        selected, starred = self.chosen()
        keep = self.which.currentData()
        self.which.clear()
        self.which.addItem("Every panel on the board", "all")
        if len(selected) > 1:
            self.which.addItem(f"Only the {len(selected)} selected panels", "selected")
        if starred:
            self.which.addItem(f"Only the {len(starred)} starred panel{'s' * (len(starred) != 1)}", "starred")
        self.which.setCurrentIndex(max(0, self.which.findData(keep)))

    def panel_ids(self) -> tuple[int, ...] | None:
        selected, starred = self.chosen()
        which = self.which.currentData()
        return tuple(selected) if which == "selected" else tuple(starred) if which == "starred" else None

    def options(self) -> ExportOptions:
        return ExportOptions(
            panel_ids=self.panel_ids(),
            formats=tuple(f for f, c in self.checks.items() if c.isChecked()),
            columns=self.columns.value() or None,
            per_page=int(self.per_page.currentData()),
            page_size=self.page_size.currentText(),
            gif_width=self.gif_width.value(),
            burn_in=self.burn_in.isChecked(),
        )

    def start(self) -> None:
        options = self.options()
        try:
            options.check()
        except Exception as exc:
            self.status.setText(str(exc))
            return
        folder = self.destination.text().strip()
        if not folder:
            self.status.setText("Choose a folder to export into.")
            return
        if not Path(folder).expanduser().is_dir():  # never created silently: the user says so
            self.confirm = QMessageBox(
                QMessageBox.Icon.Question,
                "Create the folder?",
                f"{folder} does not exist. Create it and export there?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                self,
            )
            yes = self.confirm.button(QMessageBox.StandardButton.Yes)
            yes.clicked.connect(lambda: self._export(folder, options))
            self.confirm.open()
            return
        self._export(folder, options)

    def _recalled(self, folder: str) -> None:
        if not self._typed:
            self.destination.setText(folder)

    def _export(self, folder: str, options: ExportOptions) -> None:
        self.progress.setValue(0)
        self.reveal_button.setVisible(False)
        self.export_button.setEnabled(False)
        self.status.setText("Exporting…")
        self._skipped_text = ""
        self.exporter.start(str(Path(folder).expanduser()), options)

    def _cancel(self) -> None:
        if self.exporter.running:
            self.exporter.cancel()
        else:
            self.close()

    def _progress(self, fraction: float, what: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.status.setText(f"Exporting… {what}")

    def _skipped(self, panels: list) -> None:
        listed = "; ".join(f"panel {p['number']}: {p['reason']}" for p in panels)
        self._skipped_text = (
            f"\n{len(panels)} panel{'s' if len(panels) != 1 else ''} skipped (listed in the "
            f"manifest), the image could not be read — {listed}"
        )

    def _finished(self, folder: str) -> None:
        self.progress.setValue(1000)
        self._done(f"Exported to {folder}{self._skipped_text}")
        self.reveal_button.setVisible(True)

    def _done(self, text: str) -> None:
        self.status.setText(text)
        self.export_button.setEnabled(True)

    def _browse(self) -> None:
        dialog = QFileDialog(self, "Export into", self.destination.text())
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self.destination.setText)
        dialog.open()

    def reveal(self) -> None:
        if self.exporter.folder:
            QDesktopServices.openUrl(QUrl.fromLocalFile(self.exporter.folder))
