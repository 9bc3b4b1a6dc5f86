"""
How many published titles there are of each kind and about each theme, stored so that
the browse filters' labels ("Grief (3)"), the themes page and browse's page count read
a few rows instead of counting every title on every build.

Database triggers keep the counts exact whatever writes a title or its themes
(catalogue/count_triggers.py); `recount_published` checks them against the titles and
repairs any drift (`manage.py recount_tears` runs it).

Why tables of their own rather than a column on Theme: a Theme is saved whole by the
admin's form and by `loaddata`, and either would write back the count it read (or the
field's default) over the one the triggers keep. Nothing saves these rows but the
triggers and the recount. Like the title stats, they are left out of JSON dumps (README,
"Backups"): the target's triggers count the loaded titles themselves.
"""

from django.db import models
from django.db.models import Count, Q

from catalogue.models import Theme, Title


class ThemeStats(models.Model):
    """A theme's published titles; every theme has its row from its creation on."""

    theme = models.OneToOneField(
        Theme, on_delete=models.CASCADE, primary_key=True, related_name="stats"
    )
    published_count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.theme_id}: {self.published_count} published"


class KindStats(models.Model):
    """The published titles of one kind (movie, series); one row per kind."""

    kind = models.CharField(max_length=10, choices=Title.Kind.choices, primary_key=True)
    published_count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.kind}: {self.published_count} published"

    @classmethod
    def published_counts(cls):
        """{kind: number of published titles}, every kind, in one query of two rows."""
        stored = dict(cls.objects.values_list("kind", "published_count"))
        return {kind: stored.get(kind, 0) for kind in Title.Kind.values}


def counted_from_titles():
    """({theme id: published titles}, {kind: published titles}), counted from the titles."""
    published = Q(titles__is_published=True)
    themes = dict(
        Theme.objects.annotate(number=Count("titles", filter=published)).values_list("pk", "number")
    )
    rows = Title.objects.published().order_by().values("kind").annotate(number=Count("pk"))
    kinds = dict.fromkeys(Title.Kind.values, 0) | {row["kind"]: row["number"] for row in rows}
    return themes, kinds


def recount_published():
    """
    Compare every stored count with the titles, repair what differs (creating the rows
    of counts that are missing) and return one line per row repaired. The caller holds the
    transaction and raises the content version if anything was repaired.
    """
    themes, kinds = counted_from_titles()
    names = dict(Theme.objects.values_list("pk", "name"))
    drift = []
    for model, key, wanted, label in [
        (ThemeStats, "theme_id", themes, lambda pk: f"theme {names[pk]}"),
        (KindStats, "kind", kinds, lambda kind: f"kind {kind}"),
    ]:
        stored = dict(model.objects.values_list(key, "published_count"))
        for pk, number in sorted(wanted.items()):
            # A missing row reads as 0 (an emptied table, in tests): only a count is drift.
            if stored.get(pk, 0) == number:
                continue
            was = "missing" if pk not in stored else stored[pk]
            drift.append(f"{label(pk)}: published titles {was} → {number}")
            model.objects.update_or_create(**{key: pk}, defaults={"published_count": number})
    return drift
