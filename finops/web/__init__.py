"""Server-rendered HTML pages under /ui: login, overview, workflows, alerts, recommendations, reports."""
