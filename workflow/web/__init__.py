"""The HTTP API and the web interface (issue 5); `create_app(ketnap, settings)` builds both."""
