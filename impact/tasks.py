"""Celery tasks of impact: thin, one service each."""

from celery import shared_task


@shared_task
def impact_rollup() -> int:
    """Every ROLLUP_MINUTES (celery beat): count each scheme's figures again."""
    from impact.rollup import rollups_refresh

    return rollups_refresh()
