"""Matchmaking models arrive with the matchmaking issue."""
