"""Plans, training classes and the reports Party committees publish, read from the event log (issue 6)."""
