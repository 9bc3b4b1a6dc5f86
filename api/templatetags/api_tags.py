from django import template

from api.forms import TokenForm
from api.models import AccessToken

register = template.Library()


@register.inclusion_tag("api/_tokens.html", takes_context=True)
def api_tokens(context, member):
    """The account page's tokens section: the member's tokens and the form for a new one."""
    return {
        "tokens": list(AccessToken.objects.filter(user=member)),
        "form": TokenForm(user=member),
        "csrf_token": context.get("csrf_token"),
    }
