"""The `ketnap` command line."""
