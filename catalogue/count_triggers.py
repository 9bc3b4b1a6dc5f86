"""
Database triggers that keep the published counts (catalogue.published_counts) equal to
the titles: each kind's published titles (KindStats) and each theme's (ThemeStats).

Why triggers, as for the content version (catalogue/triggers.py): the counts must be
exact whatever writes a title or its themes — the admin's form and its publish and
hide actions (QuerySet.update), `loaddata`, `load_catalogue`, a shell's save() or
delete(), a theme deleted with its links. A trigger runs inside the statement that
writes the row, so no path can skip it.

The rule they keep: a title counts in its kind while it is published, and in a theme
while it is published and linked to it. So:
- a title inserted, deleted, published, hidden or given another kind moves its kind's
  count, and (published or hidden) the counts of the themes it is linked to;
- a link inserted or deleted moves its theme's count if its title is published.
Django deletes a title's links before the title, a theme's links before the theme, so
each link is uncounted once, by its own trigger. Curators' changes are rare and already
queue on the one content-version row that every catalogue write raises, so a few more
shared rows cost little; readers never wait on them.

Installed by the migration that made the tables and again after every `migrate`
(catalogue/apps.py); changing one means a new migration that runs `install()` again.
"""

from catalogue.triggers import CountingTriggers, insert_missing

THEME_STATS = "catalogue_themestats"
KIND_STATS = "catalogue_kindstats"
THEME_LINKS = "catalogue_title_themes"


def _ensure_row(table, key, value, sign="+"):
    """
    Insert `table`'s row for `key` = `value`, counting nothing, if it is missing and
    something is to be counted in it (`sign` "+"); uncounting leaves a missing row be.
    """
    if sign != "+":
        return ""
    return insert_missing(table, f"{key}, published_count", f"SELECT {value}, 0")


def _title_change(vendor, row, sign):
    """Count or uncount the title `row` in its kind and its linked themes, if published."""
    return (
        _ensure_row(KIND_STATS, "kind", f"{row}.kind", sign)
        + f"UPDATE {KIND_STATS} SET published_count = published_count {sign} 1 "
        f"WHERE kind = {row}.kind AND {row}.is_published;"
        f"UPDATE {THEME_STATS} SET published_count = published_count {sign} 1 "
        f"WHERE {row}.is_published AND theme_id IN "
        f"(SELECT theme_id FROM {THEME_LINKS} WHERE title_id = {row}.id);"
    )


def _link_change(vendor, row, sign):
    """Count or uncount the link `row` in its theme, if its title is published."""
    return (
        _ensure_row(THEME_STATS, "theme_id", f"{row}.theme_id", sign)
        + f"UPDATE {THEME_STATS} SET published_count = published_count {sign} 1 "
        f"WHERE theme_id = {row}.theme_id AND EXISTS "
        f"(SELECT 1 FROM catalogue_title WHERE id = {row}.title_id AND is_published);"
    )


def _theme_row(vendor, row, sign):
    """A new theme gets its row (0), so pages join it plainly; a deleted one takes it along."""
    if sign == "+":
        return _ensure_row(THEME_STATS, "theme_id", f"{row}.id")
    return f"DELETE FROM {THEME_STATS} WHERE theme_id = {row}.id;"


# (name, table, columns whose change moves the counts, how a row changes them)
COUNTED = [
    (
        "catalogue_title_published_counts",
        "catalogue_title",
        ["is_published", "kind"],
        _title_change,
    ),
    ("catalogue_title_themes_counts", THEME_LINKS, ["title_id", "theme_id"], _link_change),
    ("catalogue_theme_counts", "catalogue_theme", ["id"], _theme_row),
]


TRIGGERS = CountingTriggers(
    COUNTED, [table for _, table, *_ in COUNTED] + [THEME_STATS, KIND_STATS]
)
install, remove, reinstall = TRIGGERS.install, TRIGGERS.remove, TRIGGERS.reinstall
