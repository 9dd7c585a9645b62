"""`mutua worker`: work the background queue (mail, chain calls, retries).

The queue lives in the database (django-tasks' database backend), so no extra service is needed.
Several workers may run at once: each claims a task with a row lock (`SELECT ... FOR UPDATE SKIP
LOCKED` on PostgreSQL; SQLite serialises writers). `--batch` works off what is queued and exits,
which is what tests and cron-style deployments use.
"""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = "Work Mutua's background queue. Safe to run as several processes."
