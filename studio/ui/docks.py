"""The main window's side panels as docks around the grid: the prompt on the left with the Refine
conversation as a tab beside it, the cost meter, the panel's fields with the board's cast as a tab beside
them, the jobs and the batches on the right.
Each can be closed, floated, moved or stacked as tabs (View ▸ Panels brings one back); QMainWindow
remembers the arrangement. The prompt and the cost meter scroll instead of squeezing their rows when the
window is short, and on a small screen the right-hand panels open stacked as tabs so the grid keeps its
width."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QGroupBox, QMainWindow, QMenu, QScrollArea, QWidget

SMALL_WIDTH, SMALL_HEIGHT = 1280, 820  # below either, the right-hand panels open as tabs
NARROW_WIDTH = 1000  # below it, every panel is a tab in one column beside the grid
PROMPT_WIDTH, SIDE_WIDTH = 340, 320


def scrolling(widget: QWidget) -> QScrollArea:
    """`widget` in a scroll area that gives it the full width and scrolls vertically when short (never
    narrower than the widget can be, so nothing is clipped at the right edge)."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    bar = area.verticalScrollBar().sizeHint().width()
    area.setMinimumWidth(widget.minimumSizeHint().width() + bar)
    return area


def dock(window: QMainWindow, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
    d = QDockWidget(title, window)
    d.setObjectName(name)  # saveState/restoreState find docks by name
    inner = widget.widget() if isinstance(widget, QScrollArea) else widget
    if isinstance(inner, QGroupBox):
        inner.setTitle("")  # the dock's title says it
        inner.setFlat(True)
    d.setWidget(widget)
    d.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
    d.toggleViewAction().setText(title)
    window.addDockWidget(area, d)
    return d


class SidePanels:
    """The seven docks, built once by the window (Refine is a tab beside Prompt, Cast beside Panel, Batches
    beside Jobs)."""

    def __init__(
        self,
        window: QMainWindow,
        prompt: QWidget,
        costs: QWidget,
        details: QWidget,
        jobs: QWidget,
        batches: QWidget,
        refine: QWidget,
        cast: QWidget,
    ):
        window.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
            | QMainWindow.DockOption.AllowNestedDocks
        )
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        self.window = window
        self.prompt = dock(window, "Prompt", "promptDock", scrolling(prompt), left)
        self.costs = dock(window, "Costs", "costsDock", scrolling(costs), right)
        self.details = dock(window, "Panel", "panelDock", details, right)
        self.jobs = dock(window, "Jobs", "jobsDock", jobs, right)
        self.batches = dock(window, "Batches", "batchesDock", batches, right)  # a tab beside Jobs (below)
        self.refine = dock(window, "Refine", "refineDock", scrolling(refine), left)  # a tab beside Prompt
        self.cast = dock(window, "Cast", "castDock", scrolling(cast), right)  # a tab beside Panel
        self.all = (self.prompt, self.costs, self.details, self.cast, self.refine, self.jobs, self.batches)

    def add_to(self, menu: QMenu) -> None:
        sub = menu.addMenu("&Panels")
        for d in self.all:
            sub.addAction(d.toggleViewAction())

    def default_layout(self, area: QRect) -> None:
        """The first-run arrangement for this screen: side by side on a large one, the right-hand panels
        as tabs on a small one (a remembered arrangement replaces it)."""
        small = area.width() < SMALL_WIDTH or area.height() < SMALL_HEIGHT
        w = self.window
        if (
            area.width() < NARROW_WIDTH
        ):  # one column of tabs beside the grid: Prompt | Costs | Panel | Refine | Jobs
            for d in (self.costs, self.details, self.cast, self.refine, self.jobs, self.batches):
                w.tabifyDockWidget(self.prompt, d)
            self.prompt.raise_()
            w.resizeDocks([self.prompt], [max(260, area.width() // 3)], Qt.Orientation.Horizontal)
            return
        w.tabifyDockWidget(self.prompt, self.refine)  # Refine beside Prompt: a conversation needs height
        if small:  # one group of tabs on the right; each dock joins it while it is still on its own
            for d in (self.details, self.cast, self.jobs, self.batches):
                w.tabifyDockWidget(self.costs, d)
            self.costs.raise_()
        else:
            w.tabifyDockWidget(self.details, self.cast)  # the board's cast beside the panel's fields
            w.tabifyDockWidget(self.jobs, self.batches)  # Batches is a tab beside Jobs
            self.details.raise_()
            self.jobs.raise_()
        self.prompt.raise_()
        prompt_w = min(PROMPT_WIDTH, max(240, area.width() // 4))
        side_w = min(SIDE_WIDTH, max(240, area.width() // 4))
        w.resizeDocks([self.prompt, self.costs], [prompt_w, side_w], Qt.Orientation.Horizontal)
        if not small:
            third = max(120, area.height() // 4)
            w.resizeDocks(
                [self.costs, self.details, self.jobs], [third + 80, third, third], Qt.Orientation.Vertical
            )

    @property
    def tabbed(self) -> bool:
        return bool(self.window.tabifiedDockWidgets(self.costs))

    @property
    def one_column(self) -> bool:
        return self.window.dockWidgetArea(self.costs) == Qt.DockWidgetArea.LeftDockWidgetArea
