"""The transactional outbox, the lowest layer: work to be done after a write is stored
in the write's own transaction and handed to Celery after commit, by a relay later if
the broker could not take it then. Nothing queued after commit is lost to a broker that
was down."""
