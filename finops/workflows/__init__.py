"""Workflow runs, outcomes, rollups and cost per successful workflow."""
