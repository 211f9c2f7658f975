"""QtCore objects with signals between the service layer and the widgets (no QtWidgets here)."""
