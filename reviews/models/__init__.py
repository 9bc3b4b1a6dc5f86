"""
What members say about titles: how hard they cried (ratings.py), what made them cry
(insights.py) and what they think of the lists (comments.py); what they say to each
other and keep for later (community.py); and the numbers kept from it (title_stats.py).
"""

from reviews.models.comments import (
    Comment,
    CommentLimitReached,
    CommentQuerySet,
    Report,
    ReportedComment,
    ReportedCommentQuerySet,
    Stance,
    listing_name,
    stance_problem,
)
from reviews.models.community import (
    CommentMark,
    CommunityMember,
    CommunityRefused,
    WatchlistEntry,
    reply,
)
from reviews.models.insights import (
    AvoidedCause,
    Cause,
    Ending,
    Quality,
    RatingCause,
    TitleCauseStats,
    TitleInsights,
    TitleMomentStats,
)
from reviews.models.ratings import CauseNotOffered, Rating, RatingQuerySet, TearLevel
from reviews.models.title_stats import (
    MentionStats,
    RatedTitle,
    RatedTitleQuerySet,
    TearPrior,
    TitleStats,
    whole_percentages,
)

__all__ = [
    "AvoidedCause",
    "Cause",
    "Ending",
    "Quality",
    "RatingCause",
    "TitleCauseStats",
    "TitleInsights",
    "TitleMomentStats",
    "CommentMark",
    "CommunityMember",
    "CommunityRefused",
    "WatchlistEntry",
    "reply",
    "CauseNotOffered",
    "Comment",
    "CommentLimitReached",
    "CommentQuerySet",
    "Rating",
    "RatingQuerySet",
    "Report",
    "ReportedComment",
    "ReportedCommentQuerySet",
    "Stance",
    "TearLevel",
    "listing_name",
    "stance_problem",
    "MentionStats",
    "RatedTitle",
    "RatedTitleQuerySet",
    "TearPrior",
    "TitleStats",
    "whole_percentages",
]
