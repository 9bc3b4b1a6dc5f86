"""
The shapes the API answers with and accepts. Each is a pydantic model that ninja turns
into the OpenAPI schema, so a field added here is documented and checked at once.
"""

from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from ninja import Schema
from pydantic import Field

from catalogue.watching import WatchOption

Item = TypeVar("Item")


class Page(Schema, Generic[Item]):
    """One page of a list, with the total and the addresses of its neighbours."""

    count: int = Field(description="How many items the whole list has.")
    page: int
    pages: int = Field(description="How many pages the list has.")
    next: str | None = Field(description="The next page's address, or null on the last.")
    previous: str | None = Field(description="The previous page's address, or null.")
    results: list[Item]


class ExternalIds(Schema):
    myanimelist: int | None
    anilist: int | None
    anidb: int | None
    kitsu: int | None


class TitleSummary(Schema):
    slug: str
    name: str
    original_name: str
    other_names: list[str]
    kind: str = Field(description="movie or series")
    year: int
    studio: str
    episodes: int | None
    runtime_minutes: int | None
    tear_score: float = Field(description="Damped mean tear rating, used for ranking.")
    rating_count: int
    comment_count: int = Field(description="Visible comments.")
    few_ratings: bool = Field(description="Fewer ratings than the site trusts on their own.")
    picture: str | None = Field(description="The poster, or a generated cover.")
    url: str = Field(description="The title's page on the site.")
    external_ids: ExternalIds


class TearCount(Schema):
    level: int = Field(ge=0, le=5)
    name: str
    count: int
    percent: int = Field(description="Whole percentages that add up to 100.")


class Listing(Schema):
    id: int = Field(description="Name it as `mention` when a comment takes a stance.")
    source: str = Field(description="The article's slug (see /sources/).")
    source_name: str
    section: str
    rank: int
    description: str


class ThemeOut(Schema):
    slug: str
    name: str
    description: str


class Elsewhere(Schema):
    site: str
    url: str


class WatchOptionOut(Schema):
    service: str = Field(description="The service's slug (the titles list's `service`).")
    service_name: str
    link: str
    countries: list[str] = Field(description='ISO 3166 two-letter codes, or ["worldwide"].')
    access: Literal[tuple(WatchOption.Access.values)]
    access_name: str
    checked_on: date = Field(description="The day someone checked it was there.")
    source: str = Field(description="Where the fact comes from, if not our own check.")


class CauseOut(Schema):
    slug: str
    name: str
    description: str
    is_spoiler: bool = Field(description="Naming it gives a turn of the plot away.")


class CauseShare(Schema):
    cause: str = Field(description="The cause's slug (see /causes/).")
    name: str
    is_spoiler: bool
    count: int = Field(description="Raters who named it.")
    percent: int = Field(description="Their share of the title's raters.")
    how_hard: str = Field(description="How hard those raters cried, in words.")
    tears: list[int] = Field(
        description="How many of those raters cried at 1, 2, 3, 4 and 5 tears.",
        min_length=5,
        max_length=5,
    )


class QualityCount(Schema):
    level: int = Field(ge=1, le=5)
    name: str
    count: int
    percent: int


class QualityOut(Schema):
    count: int = Field(description="Raters who said how good it was.")
    mean: float | None = Field(description="Their mean, 1 to 5; null without any.")
    distribution: list[QualityCount] = Field(description="Votes per level, 5 to 1.")


class EndingCount(Schema):
    ending: str
    name: str
    count: int
    percent: int


class EndingsOut(Schema):
    count: int
    leading: str | None = Field(description="The ending most raters chose.")
    distribution: list[EndingCount]


class MomentCount(Schema):
    position: int = Field(description="The episode, or the tenth of a movie.")
    name: str
    count: int


class MomentsOut(Schema):
    marked: int = Field(description="Raters who said where it hit hardest.")
    peak: MomentCount
    positions: list[MomentCount] = Field(description="Every episode or tenth, in order.")


class InsightsOut(Schema):
    spoilers: bool = Field(description="Whether what may spoil was asked for and is included.")
    causes: list[CauseShare] = Field(
        description="What made raters cry, most named first; the causes that spoil only "
        "with spoilers=true."
    )
    quality: QualityOut
    endings: EndingsOut | None = Field(description="Only with spoilers=true.")
    moments: MomentsOut | None = Field(
        description="Only with spoilers=true, and null while nobody marked one."
    )


class TitleDetail(TitleSummary):
    synopsis: str
    why_it_hurts: str
    themes: list[ThemeOut]
    listings: list[Listing] = Field(description="Provenance: where the articles list it.")
    mean: float | None = Field(description="Plain mean of the ratings, null without any.")
    distribution: list[TearCount] = Field(description="Ratings per tear level, 5 to 0.")
    elsewhere: list[Elsewhere] = Field(description="The same title on other sites.")
    where_to_watch: list[WatchOptionOut]
    insights: InsightsOut


class ThemeWithCount(ThemeOut):
    title_count: int


class RankedEntry(Schema):
    title: str = Field(description="The title's slug.")
    name: str
    article_rank: int
    community_rank: int = Field(description="Place by tear score within the same list.")
    rating_count: int
    tear_score: float


class SourceSection(Schema):
    section: str
    heading: str
    is_ranked: bool
    entries: list[RankedEntry]


class SourceOut(Schema):
    slug: str
    name: str
    publisher: str
    url: str
    sections: list[SourceSection]


class CommentOut(Schema):
    id: int
    title: str = Field(description="The title's slug.")
    author: str
    author_tears: int | None = Field(description="The author's current rating of the title.")
    body: str
    is_spoiler: bool
    stance: str
    listing: str | None = Field(description="The listing the stance is about, in words.")
    created_at: datetime
    edited_at: datetime | None
    in_reply_to: int | None = Field(description="The comment that starts its thread, if a reply.")
    reply_count: int = Field(description="Visible replies (see /comments/{id}/replies/).")
    mark_count: int = Field(description="Members it hit too.")


class MemberRating(Schema):
    title: str = Field(description="The title's slug.")
    name: str
    tears: int
    tear_level: str
    updated_at: datetime


class MemberOut(Schema):
    username: str
    joined: datetime
    rating_count: int
    comment_count: int
    url: str


class RatingIn(Schema):
    """
    The tears, and optionally the extras. Sent without any extra, only the tears change
    (extras told before stay). Sent with any extra, the extras are replaced as a whole:
    an extra left out is no longer told.
    """

    tears: int = Field(description="0 (Dry eyes) to 5 (Cried a river).")
    causes: list[str] | None = Field(
        None,
        description="What made you cry: up to 5 cause slugs (see /causes/); none at 0 tears.",
    )
    moment: int | None = Field(
        None,
        description="Where it hit hardest: an episode (1 to the episodes) of a series, "
        "or a tenth (1 to 10) of a movie; none at 0 tears.",
    )
    quality: int | None = Field(None, description="How good it was, 1 (Weak) to 5.")
    ending: str | None = Field(
        None, description="How it ends: devastating, bittersweet, hopeful or happy."
    )


class RatingOut(Schema):
    title: str
    tears: int
    tear_level: str
    causes: list[str] = Field(description="The cause slugs you named (those still offered).")
    moment: int | None
    where_it_hit: str = Field(description="The moment in words, or empty.")
    quality: int | None
    ending: str | None
    rating_count: int = Field(description="The title's ratings after this change.")
    tear_score: float


class CommentIn(Schema):
    body: str = Field(min_length=1, description="Plain text, up to 5,000 characters.")
    is_spoiler: bool = False
    stance: Literal["none", "agree", "too_high", "too_low", "off_list"] = Field(
        "none", description="What the comment says about the listing named by `mention`."
    )
    mention: int | None = Field(None, description="The listing (its id) the stance is about.")


class Me(Schema):
    username: str
    can_write: bool
