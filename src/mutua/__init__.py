"""Mutua: one community's solidarity economy (mutual aid, local dollars, art for land)."""

__version__ = "0.1.0"
