"""
The lists page's comparison: each article's ranking beside the community's ranking
of the same titles, by tear score, within the same group (article and section).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.template.defaultfilters import pluralize

from catalogue.models import Mention, Source, Title

# How many places apart the article and the community must be for a row to be marked.
BIG_DISAGREEMENT = 3
SECTION_ORDER = [
    Mention.Section.MOVIES,
    Mention.Section.SERIES,
    Mention.Section.RANKED,
    Mention.Section.ALSO,
]
SECTION_HEADINGS = {
    Mention.Section.MOVIES: "Movies",
    Mention.Section.SERIES: "Series",
    Mention.Section.RANKED: "The ranking",
    Mention.Section.ALSO: "Also recommended",
}


@dataclass
class Entry:
    """One title in one article's list, with where the community puts it."""

    title: Title
    article_rank: int
    community_rank: int = 0
    mention: Mention | None = None

    @property
    def is_rated(self):
        return self.title.rating_count > 0

    @property
    def places_higher(self):
        """How many places higher the community ranks it than the article (negative: lower)."""
        return self.article_rank - self.community_rank

    @property
    def is_big_disagreement(self):
        return self.is_rated and abs(self.places_higher) >= BIG_DISAGREEMENT

    @property
    def verdict(self):
        if not self.is_rated:
            return "Not rated yet"
        places = abs(self.places_higher)
        if places == 0:
            return "Same place"
        plural = "place" if places == 1 else "places"
        direction = "higher" if self.places_higher > 0 else "lower"
        return f"{places} {plural} {direction}"

    @property
    def stances(self):
        """
        [(what members said, how many)] about this listing, from its stance counts
        (reviews.MentionStats, joined to the mention; none yet reads as no stances).
        """
        try:
            stats = self.mention.stance_stats
        except (AttributeError, ObjectDoesNotExist):
            return []
        if self.mention.section == Mention.Section.ALSO:
            return [
                ("belongs on the list", stats.agree_count),
                ("does not belong", stats.off_list_count),
            ]
        return [
            ("ranked too high", stats.too_high_count),
            ("about right", stats.agree_count),
            ("ranked too low", stats.too_low_count),
        ]

    @property
    def lean(self):
        """Which way members lean about this listing, in words ("" before any stance)."""
        stances = self.stances
        total = sum(count for _, count in stances)
        if not total:
            return ""
        most = max(count for _, count in stances)
        leaders = [said for said, count in stances if count == most]
        if len(leaders) > 1:
            return f"Split: {' / '.join(leaders)} ({most} each of {total})"
        return f"Leans {leaders[0]}: {most} of {total} member stance{pluralize(total)}"


@dataclass
class Section:
    source: Source
    section: str
    entries: list = field(default_factory=list)

    @property
    def heading(self):
        return SECTION_HEADINGS[self.section]

    @property
    def is_ranked(self):
        """Also-recommended titles come in no particular order: no rank to disagree with."""
        return self.section != Mention.Section.ALSO

    @property
    def html_id(self):
        return f"{self.source.slug}-{self.section}"

    @property
    def has_ratings(self):
        return any(entry.is_rated for entry in self.entries)

    @property
    def community_order(self):
        return sorted(self.entries, key=lambda entry: entry.community_rank)

    @property
    def most_disputed(self):
        """
        Up to three titles whose placement members disagree with, in the order of
        pages.filters.DISPUTED_FIRST (the damped share, then the most voices).
        """
        disputed = [entry for entry in self.entries if entry.title.stats.disagree_count]
        disputed.sort(
            key=lambda entry: (
                -entry.title.dispute_share,
                -entry.title.stance_count,
                entry.title.pk,
            )
        )
        return disputed[:3]

    @property
    def biggest_disagreements(self):
        """Up to three marked rows, the widest gap first."""
        marked = [entry for entry in self.entries if entry.is_big_disagreement]
        marked.sort(key=lambda entry: (-abs(entry.places_higher), entry.article_rank))
        return marked[:3]


def compare_rankings(mentions, titles):
    """
    Group `mentions` (ordered by source, their stance_stats joined) into sections
    and rank each section's titles by tear score; `titles` maps title pk to a title from
    published().with_stats().with_counts(). Mentions of titles missing from
    `titles` (unpublished) are left out. Returns [(source, [Section, …])].
    """
    sections = {}
    for mention in mentions:
        title = titles.get(mention.title_id)
        if title is None:
            continue
        key = (mention.source_id, mention.section)
        if key not in sections:
            sections[key] = Section(mention.source, mention.section)
        sections[key].entries.append(Entry(title, mention.rank, mention=mention))

    by_source = {}
    for section in sections.values():
        section.entries.sort(key=lambda entry: entry.article_rank)
        community = sorted(
            section.entries,
            key=lambda entry: (
                -entry.title.tear_score,
                -entry.title.rating_count,
                entry.article_rank,
            ),
        )
        for place, entry in enumerate(community, start=1):
            entry.community_rank = place
        by_source.setdefault(section.source.pk, (section.source, []))[1].append(section)

    result = []
    for source, source_sections in by_source.values():
        source_sections.sort(key=lambda section: SECTION_ORDER.index(section.section))
        result.append((source, source_sections))
    return result
