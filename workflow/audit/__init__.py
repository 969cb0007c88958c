"""Audit: replay and verify the event log (ARCHITECTURE.md decisions 2, 3, 4 and 6), checkpoints, late entries,
projection rebuilds and dossier exports. Read-only except `rebuild` and `checkpoint`."""
