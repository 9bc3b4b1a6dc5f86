"""
Demo extras for seed_demo: about 40% of ratings name causes, 25% mark a moment, 50% say
how good the title was and 30% vote on its ending, each tied to the title's themes and
the rating's tears, and the same for a seed.

The extras ride on the rating rows as they stream in (no second pass over the ratings),
and the named causes become RatingCause rows beside them; recount_tears counts it all.
"""

import functools

from reviews.models.insights import MOVIE_PARTS

NAMES_CAUSES, MARKS_MOMENT, GIVES_QUALITY, VOTES_ENDING = 0.4, 0.25, 0.5, 0.3
EXTRA_COLUMNS = ["moment", "quality", "ending"]

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


class DemoExtras:
    """
    Draws the extras of each rating in turn. `titles`: {title id: (kind, episodes)};
    `themes`: {title id: [theme slugs]}; `cause_ids`: {cause slug: id} (causes in use).
    """

    def __init__(self, rng, titles, themes, cause_ids):
        self.rng = rng
        self.titles = titles
        self.themes = themes
        self.cause_ids = cause_ids
        self.quality_of = {}
        self.links = []

    @functools.cache  # noqa: B019 -- one DemoExtras per seed, dropped with it
    def _causes_for(self, title_id):
        slugs = [
            slug for theme in self.themes.get(title_id, []) for slug in THEME_CAUSES.get(theme, [])
        ]
        slugs += GENERAL_CAUSES
        return [self.cause_ids[slug] for slug in dict.fromkeys(slugs) if slug in self.cause_ids]

    @functools.cache  # noqa: B019 -- one DemoExtras per seed, dropped with it
    def _positions(self, title_id):
        kind, episodes = self.titles.get(title_id, ("movie", None))
        return MOVIE_PARTS if kind == "movie" else (episodes or 0)

    def extras(self, rating_id, title_id, tears):
        """(moment, quality, ending) of one rating; its causes go to `links`."""
        rng = self.rng
        moment = quality = ending = None
        if tears and rng.random() < NAMES_CAUSES:
            offered = self._causes_for(title_id)
            if offered:
                for cause_id in sorted(
                    set(rng.sample(offered, min(len(offered), rng.randint(1, 3))))
                ):
                    self.links.append((rating_id, cause_id))
        positions = self._positions(title_id)
        if tears and positions and rng.random() < MARKS_MOMENT:
            # Stories hit hardest near their end.
            moment = max(1, min(positions, round(positions * rng.betavariate(5, 1.6))))
        if rng.random() < GIVES_QUALITY:
            if title_id not in self.quality_of:
                self.quality_of[title_id] = rng.gauss(3.4, 0.7)
            quality = max(1, min(5, round(rng.gauss(self.quality_of[title_id], 0.8))))
        if rng.random() < VOTES_ENDING:
            ending = rng.choice(ENDINGS_BY_TEARS[tears])
        return moment, quality, ending

    def rows(self, first_id, rating_rows):
        """`rating_rows` (user, title, tears, created, updated) with an id first and extras last."""
        for index, row in enumerate(rating_rows):
            rating_id = first_id + index
            yield (rating_id, *row, *self.extras(rating_id, row[1], row[2]))
