"""Sections of the UI text catalogue, one module per area, each defining ``TEXT``."""
