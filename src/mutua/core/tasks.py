"""Background tasks of the core app: mail leaves through the queue, never inside a request.

A request that must send mail enqueues `email_send` on commit; `mutua worker` sends it. If the mail
server is down the task fails, is recorded as failed in the queue table, and the request that asked
for it has already answered the user.
"""

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def email_send(*, to: list[str], subject: str, body: str, html_body: str = "") -> int:
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()
