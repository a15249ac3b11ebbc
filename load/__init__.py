"""The load test: `make load` (`python -m load`) replays a Saturday morning against two
web processes and two Celery workers on 127.0.0.1, and prints p95 per endpoint."""
