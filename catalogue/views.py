from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from catalogue.models import Theme, Title
from reviews.views import title_reviews_context


def healthz(request):
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


def home(request):
    titles = Title.objects.published().order_by("name", "pk")
    return render(request, "catalogue/home.html", {"titles": titles})


def title_detail(request, slug):
    title = get_object_or_404(Title.objects.published(), slug=slug)
    mentions = title.mentions.select_related("source").order_by("source__pk", "section", "rank")
    context = {"title": title, "mentions": mentions, "themes": title.themes.all()}
    context.update(title_reviews_context(request, title))
    return render(request, "catalogue/title_detail.html", context)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def theme_detail(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    titles = theme.titles.published().order_by("name", "pk")
    return render(request, "catalogue/theme_detail.html", {"theme": theme, "titles": titles})
