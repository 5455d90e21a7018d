"""Convening models arrive with the convenings issue."""
