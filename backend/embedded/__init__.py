"""The embedded PostgreSQL of `make demo` and `make test`."""
