from django import template

from accounts.import_views import ImportForm
from accounts.imports import rate_queue

register = template.Library()

QUEUE_SHOWN = 50


@register.inclusion_tag("accounts/_rate_queue.html", takes_context=True)
def seen_it_rate_it(context, member):
    """The owner's imported titles still to rate, and the form to import more."""
    queue = list(rate_queue(member)[: QUEUE_SHOWN + 1])
    return {
        "queue": queue[:QUEUE_SHOWN],
        "more": len(queue) > QUEUE_SHOWN,
        "form": ImportForm(),
        "csrf_token": context.get("csrf_token"),
    }
