"""Exporting a board: PNGs, contact sheet, PDF, GIF animatic, manifest (JSON + CSV) and a ZIP of it all."""
