"""What the admin's title form posts, as a browser without JavaScript would send it."""


def title_form(title=None, **changes):
    """
    The fields of the title change form for `title` (or an empty add form), with
    `changes` applied; `mentions` may be a list of dicts of new provenance rows.
    """
    data = {
        "name": "",
        "slug": "",
        "original_name": "",
        "other_names": "",
        "kind": "movie",
        "year": "",
        "studio": "",
        "episodes": "",
        "runtime_minutes": "",
        "synopsis": "",
        "why_it_hurts": "",
        "themes": [],
        "is_published": "on",
    }
    existing = []
    if title is not None:
        for field in [
            "name",
            "slug",
            "original_name",
            "other_names",
            "kind",
            "year",
            "studio",
            "synopsis",
            "why_it_hurts",
        ]:
            data[field] = getattr(title, field)
        data["episodes"] = title.episodes or ""
        data["runtime_minutes"] = title.runtime_minutes or ""
        for field in ("myanimelist_id", "anilist_id", "anidb_id", "kitsu_id"):
            data[field] = getattr(title, field) or ""
        data["themes"] = [theme.pk for theme in title.themes.all()]
        if not title.is_published:
            del data["is_published"]
        existing = list(title.mentions.order_by("pk"))
    new_mentions = changes.pop("mentions", [])
    data.update(changes)
    if data.get("is_published") is False:
        del data["is_published"]
    rows = [
        {
            "id": m.pk,
            "title": title.pk,
            "source": m.source_id,
            "section": m.section,
            "rank": m.rank,
            "listed_as": m.listed_as,
        }
        for m in existing
    ] + new_mentions
    data.update(
        {
            "mentions-TOTAL_FORMS": len(rows),
            "mentions-INITIAL_FORMS": len(existing),
            "mentions-MIN_NUM_FORMS": 0,
            "mentions-MAX_NUM_FORMS": 1000,
            # Where to watch: no rows unless a test adds them (tests/test_where_to_watch.py).
            "watch_options-TOTAL_FORMS": 0,
            "watch_options-INITIAL_FORMS": 0,
            "watch_options-MIN_NUM_FORMS": 0,
            "watch_options-MAX_NUM_FORMS": 1000,
        }
    )
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"mentions-{index}-{key}"] = value
    return data
