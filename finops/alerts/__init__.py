"""Alerts: detectors over rollups, budgets, the alert lifecycle and reliable delivery."""
