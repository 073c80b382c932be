"""Optimization recommendations with dollar estimates, from what was actually sent."""
