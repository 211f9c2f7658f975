"""Widgets. They bind to studio.state objects and never call the network themselves."""
