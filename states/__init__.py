"""The admission procedure itself: stages, steps, guards, rule sets and dates. Pure: no I/O, no clock."""
