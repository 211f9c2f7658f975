"""Jobs: queued, running, rate-limited with a countdown, done, failed, outcome unknown."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGridLayout, QGroupBox, QListView, QMenu, QPushButton, QVBoxLayout, QWidget

from studio.state.jobs_model import JobRow, JobsModel
from studio.state.session import Session

from .job_rows import JobRowDelegate


class JobsPanel(QGroupBox):
    def __init__(self, model: JobsModel, session: Session, parent: QWidget | None = None):
        super().__init__("Jobs", parent)
        self.model, self.session = model, session
        layout = QVBoxLayout(self)
        self.list = QListView()
        self.list.setModel(model)
        self.list.setAccessibleName("Jobs")
        self.list.setWordWrap(True)
        self.list.setItemDelegate(JobRowDelegate(self.list))  # a state pill, then the job's text, wrapped
        self.list.setUniformItemSizes(False)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)  # rows re-wrap as the panel's width changes
        layout.addWidget(self.list, 1)
        buttons = QGridLayout()  # two by two: the panel stays narrow enough for a small screen
        self.cancel = QPushButton("Cancel")
        self.resend = QPushButton("Re-send")
        self.dismiss = QPushButton("Dismiss")
        self.cancel.setToolTip("Cancel a job that has not been sent yet (nothing is spent)")
        self.resend.setToolTip("Outcome unknown: send the same request again (you may pay twice)")
        self.dismiss.setToolTip("Outcome unknown: keep it as possibly billed and hide it")
        self.resolve = QPushButton("Resolve…")
        self.resolve.setObjectName("resolveJob")
        self.resolve.setToolTip(
            "A job that never settles (sent from another host), or one whose outcome you know: "
            "settle it as not billed (its reservation is released) or as possibly billed"
        )
        menu = QMenu(self.resolve)
        self.resolve_failed = menu.addAction("As failed — it was not billed (release its reservation)")
        self.resolve_unknown = menu.addAction("As outcome unknown — it may have been billed")
        self.resolve.setMenu(menu)
        for i, b in enumerate((self.cancel, self.resend, self.dismiss, self.resolve)):
            buttons.addWidget(b, i // 2, i % 2)
        layout.addLayout(buttons)
        actions = session.job_actions
        self.cancel.clicked.connect(lambda: self._with_row(lambda r: actions.cancel(r.job_id)))
        self.resend.clicked.connect(lambda: self._with_row(lambda r: actions.resend(r.job_id)))
        self.dismiss.clicked.connect(lambda: self._with_row(lambda r: actions.dismiss(r.job_id)))
        self.resolve_failed.triggered.connect(
            lambda: self._with_row(lambda r: actions.resolve(r.job_id, "failed"))
        )
        self.resolve_unknown.triggered.connect(
            lambda: self._with_row(lambda r: actions.resolve(r.job_id, "unknown"))
        )
        self.list.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())
        model.dataChanged.connect(self._update_buttons)
        self.timer = QTimer(self)
        self.timer.timeout.connect(model.tick)
        self.timer.start(1000)
        self._update_buttons()

    def _row(self) -> JobRow | None:
        index = self.list.currentIndex()
        return index.data(JobsModel.RowRole) if index.isValid() else None

    def _with_row(self, fn) -> None:
        row = self._row()
        if row is not None:
            fn(row)

    def _update_buttons(self, *_) -> None:
        row = self._row()
        self.cancel.setEnabled(bool(row and row.state in ("queued", "waiting")))
        self.resend.setEnabled(bool(row and row.state == "unknown"))
        self.dismiss.setEnabled(bool(row and row.state == "unknown"))
        self.resolve.setEnabled(bool(row and row.state in ("unknown", "stuck")))
        self.resolve_unknown.setEnabled(bool(row and row.state == "stuck"))
