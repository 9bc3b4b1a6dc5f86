"""
Demo extras for seed_demo: about 40% of ratings name causes, 25% mark a moment, 50% say
how good the title was and 30% vote on its ending, each tied to the title's themes and
the rating's tears, and the same for a seed.

The extras are drawn a title at a time, beside the title's tears (no second pass over
the ratings): each extra is one weighted draw per rating (random.choices over a table
worked out once per title, or once per length of story), where it used to take several
draws, a sample and a Beta variate per rating, which made the extras most of the seed's
time. Each table gives every value exactly the chance the per-rating draws gave it:
`moment_table`, `quality_table` and `cause_table` say how.
"""

import functools
import itertools
import math

from reviews.models.insights import MOVIE_PARTS

NAMES_CAUSES, MARKS_MOMENT, GIVES_QUALITY, VOTES_ENDING = 0.4, 0.25, 0.5, 0.3
EXTRA_COLUMNS = ["moment", "quality", "ending"]
# A rating that names causes names one to three (equally likely) of its title's.
MOST_CAUSES = 3
# Stories hit hardest near their end: the moment falls at a share of the story drawn
# from Beta(MOMENT_A, MOMENT_B) (MOMENT_A whole, which gives its CDF a closed form).
MOMENT_A, MOMENT_B = 5, 1.6
# Each title has a quality of its own, N(3.4, 0.7); its raters say it give or take 0.8.
QUALITY_MEAN, QUALITY_SPREAD, QUALITY_NOISE = 3.4, 0.7, 0.8

# Which causes a theme makes likely; any title may also bring these general ones.
THEME_CAUSES = {
    "grief": ["grief-and-mourning", "the-death-of-a-parent", "the-death-of-a-friend"],
    "war": ["war", "the-death-of-a-child", "sacrifice"],
    "illness": ["terminal-illness", "the-death-of-a-partner", "farewells"],
    "first-love": ["unrequited-love", "lovers-kept-apart"],
    "time": ["lovers-kept-apart", "regret", "reunion"],
    "family": ["the-death-of-a-parent", "forgiveness", "reunion"],
    "bullying": ["bullying", "loneliness", "forgiveness"],
    "friendship": ["the-death-of-a-friend", "farewells", "reunion"],
    "music": ["terminal-illness", "unrequited-love"],
    "supernatural": ["farewells", "sacrifice", "the-death-of-an-animal"],
    "coming-of-age": ["growing-up-and-leaving", "farewells"],
    "loneliness": ["loneliness", "regret"],
    "memory": ["memory-loss", "regret"],
    "redemption": ["forgiveness", "sacrifice", "abuse"],
}
GENERAL_CAUSES = ["grief-and-mourning", "farewells", "loneliness"]
ENDINGS_BY_TEARS = {
    # From dry eyes to a river: heavier tears lean to the darker endings.
    0: ["happy", "hopeful", "hopeful", "bittersweet"],
    1: ["happy", "hopeful", "bittersweet"],
    2: ["hopeful", "bittersweet", "happy"],
    3: ["bittersweet", "hopeful", "devastating"],
    4: ["bittersweet", "devastating", "hopeful"],
    5: ["devastating", "bittersweet", "devastating"],
}
# The ending vote as a slot picked uniformly out of ENDING_SLOTS, the same for every
# tears level: VOTES_ENDING of the slots hold the level's endings, each entry of its
# list as many as the others (so a list of three or four splits them evenly), and the
# rest no vote. One uniform draw per rating then serves ratings of any tears.
ENDING_SLOTS = 120


def _ending_slots(endings):
    voting = round(ENDING_SLOTS * VOTES_ENDING)
    assert voting % len(endings) == 0, "every ending must get the same number of slots"  # noqa: S101
    return [None] * (ENDING_SLOTS - voting) + [
        ending for ending in endings for _ in range(voting // len(endings))
    ]


ENDINGS_BY_SLOT = {tears: _ending_slots(endings) for tears, endings in ENDINGS_BY_TEARS.items()}


def _moment_share_cdf(x):
    """
    P(share <= x) for a share ~ Beta(MOMENT_A, MOMENT_B): with MOMENT_A whole, it is
    1 - (1 - x)^b * sum over k < a of (b)_k / k! * x^k (the incomplete beta function's
    finite form), so no numeric integration is needed.
    """
    term = total = 1.0
    for k in range(1, MOMENT_A):
        term *= (MOMENT_B + k - 1) / k * x
        total += term
    return 1 - (1 - x) ** MOMENT_B * total


@functools.cache
def moment_table(positions):
    """
    (population, cum_weights) of a rating's moment in a story of `positions` episodes
    (or a movie's tenths), given tears: None (no moment marked), or the position
    nearest `positions` times the share, at least 1. Position m takes the shares that
    round to it, [(m - 0.5) / positions, (m + 0.5) / positions), the first from 0 and
    the last up to 1.
    """
    edges = [0.0, *((m + 0.5) / positions for m in range(1, positions)), 1.0]
    chances = [
        _moment_share_cdf(high) - _moment_share_cdf(low) for low, high in itertools.pairwise(edges)
    ]
    weights = [1 - MARKS_MOMENT, *(MARKS_MOMENT * chance for chance in chances)]
    return [None, *range(1, positions + 1)], list(itertools.accumulate(weights))


QUALITY_LEVELS = [None, 1, 2, 3, 4, 5]


def quality_table(title_quality):
    """
    (population, cum_weights) of one rating's quality for a title of `title_quality`:
    None (no quality given), or the level nearest a draw from N(title_quality,
    QUALITY_NOISE), kept within 1 to 5. Level v takes the draws in [v - 0.5, v + 0.5),
    the first from minus infinity and the last to infinity.
    """

    def below(x):
        return 0.5 * (1 + math.erf((x - title_quality) / (QUALITY_NOISE * math.sqrt(2))))

    edges = [-math.inf, 1.5, 2.5, 3.5, 4.5, math.inf]
    chances = [below(high) - below(low) for low, high in itertools.pairwise(edges)]
    weights = [1 - GIVES_QUALITY, *(GIVES_QUALITY * chance for chance in chances)]
    return QUALITY_LEVELS, list(itertools.accumulate(weights))


@functools.cache
def cause_table(offered):
    """
    (population, cum_weights) of the causes a rating with tears names, from the
    `offered` cause ids (ascending): () for none, or a tuple of ids, ascending. A rating
    names causes with a chance of NAMES_CAUSES, then picks how many (one to MOST_CAUSES,
    equally likely, no more than are offered) and which, every set of that size equally
    likely: so each set of a size holds that size's chance split evenly.
    """
    population, weights = [()], [1 - NAMES_CAUSES]
    picks = [min(len(offered), number) for number in range(1, MOST_CAUSES + 1)]
    for size in sorted(set(picks) - {0}):
        sets = list(itertools.combinations(offered, size))
        chance = NAMES_CAUSES * picks.count(size) / len(picks) / len(sets)
        population += sets
        weights += [chance] * len(sets)
    return population, list(itertools.accumulate(weights))


class DemoExtras:
    """
    Draws the extras of each title's ratings. `titles`: {title id: (kind, episodes)};
    `themes`: {title id: [theme slugs]}; `cause_ids`: {cause slug: id} (causes in use).
    """

    def __init__(self, rng, titles, themes, cause_ids):
        self.rng = rng
        self.titles = titles
        self.themes = themes
        self.cause_ids = cause_ids

    def _causes_for(self, title_id):
        slugs = [
            slug for theme in self.themes.get(title_id, []) for slug in THEME_CAUSES.get(theme, [])
        ]
        slugs += GENERAL_CAUSES
        return tuple(sorted({self.cause_ids[slug] for slug in slugs if slug in self.cause_ids}))

    def _positions(self, title_id):
        kind, episodes = self.titles.get(title_id, ("movie", None))
        return MOVIE_PARTS if kind == "movie" else (episodes or 0)

    def draw(self, title_id, tears):
        """
        The extras of one title's ratings, given their `tears` (a list): a list each of
        moments, qualities, endings and causes (tuples of cause ids), rating by rating.
        Moments and causes come only with tears; a rating without is drawn as the
        others are, and what it drew dropped, so that every title draws alike.
        """
        choices, count = self.rng.choices, len(tears)
        positions = self._positions(title_id)
        if positions:
            population, cum_weights = moment_table(positions)
            drawn = choices(population, cum_weights=cum_weights, k=count)
            moments = [
                moment if level else None for moment, level in zip(drawn, tears, strict=True)
            ]
        else:
            moments = [None] * count
        population, cum_weights = quality_table(self.rng.gauss(QUALITY_MEAN, QUALITY_SPREAD))
        qualities = choices(population, cum_weights=cum_weights, k=count)
        endings = [
            ENDINGS_BY_SLOT[level][slot]
            for level, slot in zip(tears, choices(range(ENDING_SLOTS), k=count), strict=True)
        ]
        population, cum_weights = cause_table(self._causes_for(title_id))
        drawn = choices(population, cum_weights=cum_weights, k=count)
        causes = [named if level else () for named, level in zip(drawn, tears, strict=True)]
        return moments, qualities, endings, causes


class NoExtras:
    """What `DemoExtras` draws, for ratings that tell nothing beyond their tears."""

    def draw(self, title_id, tears):
        count = len(tears)
        return [None] * count, [None] * count, [None] * count, [()] * count
