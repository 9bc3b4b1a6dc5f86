"""
Bringing a member's history from elsewhere: a MyAnimeList list export (XML), an
AniList export (JSON) or a Sadlist export (JSON). Each entry is matched to a published
title by its MyAnimeList or AniList id where the file has one, else by any of the
title's names; matched titles go to the member's "seen it, rate it" queue, and the
entries that match nothing are listed back to them. Nothing is rated for them.

A file is read whole or not at all: a file too large, with too many entries, malformed,
or hostile (XML entities, which defusedxml refuses) saves nothing and says why.
"""

import json
import re
from dataclasses import dataclass, field

import defusedxml.ElementTree as SafeXML
from defusedxml import DefusedXmlException
from django.db import transaction
from django.db.models import Q

from accounts.models import ImportedTitle
from catalogue.models import Title

# A MyAnimeList export of a very long list is a few megabytes.
IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_ENTRIES = 5000
# Entries the member has not watched: nothing to rate yet.
NOT_SEEN = {"plan to watch", "planning"}


class ImportRefused(Exception):
    """The file cannot be imported; the message says why, for the member."""


@dataclass
class Entry:
    """One title as the other site's file names it."""

    names: list
    myanimelist_id: int | None = None
    anilist_id: int | None = None
    slug: str = ""

    @property
    def shown_name(self):
        return next((name for name in self.names if name), "(no name)")


@dataclass
class Outcome:
    queued: list = field(default_factory=list)
    already: list = field(default_factory=list)
    unmatched: list = field(default_factory=list)
    skipped_unseen: int = 0


def whole_number(value):
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def read_myanimelist(data):
    try:
        root = SafeXML.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise ImportRefused(
            "This XML file declares entities or a document type, which a MyAnimeList "
            "export never does; we did not read it."
        ) from None
    except SafeXML.ParseError as error:
        raise ImportRefused(f"This is not a readable XML file ({error}).") from None
    if root.tag != "myanimelist":
        raise ImportRefused("This XML file is not a MyAnimeList list export.")
    entries, unseen = [], 0
    for anime in root.iter("anime"):
        if (anime.findtext("my_status") or "").strip().lower() in NOT_SEEN:
            unseen += 1
            continue
        entries.append(
            Entry(
                names=[(anime.findtext("series_title") or "").strip()],
                myanimelist_id=whole_number(anime.findtext("series_animedb_id")),
            )
        )
    return entries, unseen


def read_anilist(data):
    """AniList's list as its API gives it: lists of entries, each with its media."""
    lists = data.get("lists")
    if lists is None:
        lists = (data.get("data") or {}).get("MediaListCollection", {}).get("lists")
    if not isinstance(lists, list):
        raise ImportRefused("This JSON file is not an AniList export: it has no lists.")
    entries, unseen = [], 0
    for each in lists:
        for item in (each or {}).get("entries") or []:
            if not isinstance(item, dict):
                continue
            if str(item.get("status", "")).lower() in NOT_SEEN:
                unseen += 1
                continue
            media = item.get("media") or {}
            titles = media.get("title") or {}
            names = [titles.get(key) for key in ("english", "romaji", "native")]
            names += list(media.get("synonyms") or [])
            entries.append(
                Entry(
                    names=[str(name).strip() for name in names if name],
                    myanimelist_id=whole_number(media.get("idMal")),
                    anilist_id=whole_number(media.get("id")),
                )
            )
    return entries, unseen


def slug_or_nothing(value):
    """Only a slug reaches the database as one (PostgreSQL refuses NUL in text)."""
    value = str(value or "")
    return value if re.fullmatch(r"[-\w]{1,120}", value) else ""


def read_sadlist(data):
    entries = []
    for rating in data.get("ratings") or []:
        if not isinstance(rating, dict):
            continue
        entries.append(
            Entry(
                names=[str(rating.get("title") or "").strip()],
                slug=slug_or_nothing(rating.get("title_slug")),
                myanimelist_id=whole_number(rating.get("myanimelist_id")),
                anilist_id=whole_number(rating.get("anilist_id")),
            )
        )
    return entries, 0


def read_file(upload):
    """(origin, entries, how many were left out as not yet seen) of an uploaded file."""
    if upload.size > IMPORT_MAX_BYTES:
        raise ImportRefused(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; we read files up to "
            f"{IMPORT_MAX_BYTES // 1024 // 1024} MB."
        )
    data = upload.read(IMPORT_MAX_BYTES + 1)
    if data.lstrip()[:1] == b"<":
        origin, (entries, unseen) = ImportedTitle.Origin.MYANIMELIST, read_myanimelist(data)
    else:
        try:
            parsed = json.loads(data)
        except (ValueError, RecursionError):
            raise ImportRefused(
                "This file is neither a MyAnimeList export (XML) nor JSON from AniList or Sadlist."
            ) from None
        if not isinstance(parsed, dict):
            raise ImportRefused("This JSON file is not an AniList or Sadlist export.")
        if "ratings" in parsed and "member" in parsed:
            origin, (entries, unseen) = ImportedTitle.Origin.SADLIST, read_sadlist(parsed)
        else:
            origin, (entries, unseen) = ImportedTitle.Origin.ANILIST, read_anilist(parsed)
    if len(entries) > IMPORT_MAX_ENTRIES:
        raise ImportRefused(
            f"The file lists {len(entries):,} titles; we import at most "
            f"{IMPORT_MAX_ENTRIES:,} at a time."
        )
    return origin, entries, unseen


def fold(name):
    return " ".join(name.casefold().split())


class Matcher:
    """Finds published titles by external id, slug or any name, in three queries."""

    def __init__(self, entries):
        mal = {entry.myanimelist_id for entry in entries if entry.myanimelist_id}
        ani = {entry.anilist_id for entry in entries if entry.anilist_id}
        slugs = {entry.slug for entry in entries if entry.slug}
        published = Title.objects.published().only(
            "pk", "name", "slug", "original_name", "other_names", "myanimelist_id", "anilist_id"
        )
        by_id = list(
            published.filter(Q(myanimelist_id__in=mal) | Q(anilist_id__in=ani) | Q(slug__in=slugs))
        )
        self.by_mal = {title.myanimelist_id: title for title in by_id if title.myanimelist_id}
        self.by_anilist = {title.anilist_id: title for title in by_id if title.anilist_id}
        self.by_slug = {title.slug: title for title in by_id}
        self.by_name = {}
        for title in published:
            for name in [title.name, title.original_name, *title.other_names_list]:
                if name:
                    self.by_name.setdefault(fold(name), title)

    def find(self, entry):
        return (
            self.by_mal.get(entry.myanimelist_id)
            or self.by_anilist.get(entry.anilist_id)
            or self.by_slug.get(entry.slug)
            or next(
                (self.by_name[fold(name)] for name in entry.names if fold(name) in self.by_name),
                None,
            )
        )


def import_history(user, upload):
    """
    Read `upload` and queue the titles it matches for `user`; returns an Outcome.
    Raises ImportRefused (and saves nothing) for a file we cannot read.
    """
    origin, entries, unseen = read_file(upload)
    matcher = Matcher(entries)
    outcome = Outcome(skipped_unseen=unseen)
    matched = {}
    for entry in entries:
        title = matcher.find(entry)
        if title is None:
            outcome.unmatched.append(entry.shown_name)
        else:
            matched.setdefault(title.pk, title)
    with transaction.atomic():
        rated = set(user.ratings.filter(title__in=matched).values_list("title_id", flat=True))
        queued = set(
            ImportedTitle.objects.filter(user=user, title__in=matched).values_list(
                "title_id", flat=True
            )
        )
        new = [pk for pk in matched if pk not in rated and pk not in queued]
        ImportedTitle.objects.bulk_create(
            [ImportedTitle(user=user, title_id=pk, origin=origin) for pk in new],
            ignore_conflicts=True,
        )
    outcome.queued = [matched[pk] for pk in new]
    outcome.already = [matched[pk] for pk in matched if pk not in new]
    return outcome


def rate_queue(user):
    """The member's imported titles they have not rated yet, oldest import first."""
    return (
        ImportedTitle.objects.filter(user=user, title__is_published=True)
        .exclude(title__ratings__user=user)
        .select_related("title")
        .order_by("imported_at", "pk")
    )
