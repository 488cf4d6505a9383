"""Background tasks (django-tasks, database queue): large files are checked and committed here."""

from django_tasks import task

from . import jobs


@task()
def check_import(job_id: int) -> None:
    jobs.run_check(job_id)


@task()
def commit_import(job_id: int) -> None:
    jobs.run_commit(job_id)


@task()
def revert_import(job_id: int, actor_id: int, reason: str) -> None:
    jobs.run_revert(job_id, actor_id, reason)
