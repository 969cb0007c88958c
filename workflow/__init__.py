"""The application: commands in, events out; configuration, unit of work and entry points."""
