from django import template

from sadlist.freshness import canonical_query

register = template.Library()


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """
    The page's one address: its path, with only the query parameters the page
    understands and that have a value (sadlist.freshness.visitor_page names them);
    pages that name none have none.
    """
    request = context.get("request")
    if request is None:
        return ""
    known = getattr(request, "canonical_parameters", set())
    query = canonical_query(request.GET, known)
    if query is None:
        query = request.GET.urlencode() if known else ""
    path = f"{request.path}?{query}" if query else request.path
    return request.build_absolute_uri(path)
