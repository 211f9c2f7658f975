"""The mask painter: canvas, tools, edit panel, and how it is opened from the main window."""
