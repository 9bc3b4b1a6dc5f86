"""
What members say about titles (members.py), what they say to each other and
keep for later (community.py), and the numbers kept from it (title_stats.py).
"""

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
from reviews.models.members import (
    CauseNotOffered,
    Comment,
    CommentLimitReached,
    CommentQuerySet,
    Rating,
    RatingQuerySet,
    Report,
    ReportedComment,
    ReportedCommentQuerySet,
    Stance,
    TearLevel,
    listing_name,
    stance_problem,
)
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
