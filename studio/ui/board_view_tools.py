"""The grid's view tools in the board toolbar and the View menu: tile size (a slider, Ctrl+= / Ctrl+-) and
"Starred only"."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QSlider, QToolBar, QWidget

from .grid import MAX_EDGE, MIN_EDGE, PanelGrid
from .keys import with_platform

STEP = 32


class BoardViewTools:
    def __init__(self, owner: QWidget, grid: PanelGrid, bar: QToolBar, menu: QMenu):
        self.grid = grid
        bar.addSeparator()
        bar.addWidget(QLabel(" Tiles "))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("tileSize")
        self.slider.setAccessibleName("Tile size")
        self.slider.setRange(MIN_EDGE, MAX_EDGE)
        self.slider.setSingleStep(STEP)
        self.slider.setPageStep(STEP)
        self.slider.setValue(grid.target_edge)
        self.slider.setMaximumWidth(140)
        self.slider.setToolTip("Tile size (Ctrl+= larger, Ctrl+- smaller); the columns fill the width")
        self.slider.valueChanged.connect(grid.set_thumb_edge)
        bar.addWidget(self.slider)
        self.starred_action = QAction("Starred &only", owner, checkable=True)
        self.starred_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.starred_action.setToolTip("Show only the starred panels (Ctrl+Shift+S)")
        self.starred_action.toggled.connect(grid.set_starred_only)
        bar.addAction(self.starred_action)
        self.zoom_in_action = QAction("&Larger tiles", owner)
        self.zoom_in_action.setShortcuts(with_platform("Ctrl+=", QKeySequence.StandardKey.ZoomIn))
        self.zoom_in_action.triggered.connect(lambda: self.slider.setValue(grid.target_edge + STEP))
        self.zoom_out_action = QAction("&Smaller tiles", owner)
        self.zoom_out_action.setShortcuts(with_platform("Ctrl+-", QKeySequence.StandardKey.ZoomOut))
        self.zoom_out_action.triggered.connect(lambda: self.slider.setValue(grid.target_edge - STEP))
        for action in (self.starred_action, self.zoom_in_action, self.zoom_out_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            menu.addAction(action)
