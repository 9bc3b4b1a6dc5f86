"""
Where a title can be watched: the services curators keep a list of, and per title the
places it can be streamed, rented or bought, in which countries, checked on which day.
Facts only where someone checked them: every option carries the date it was checked.
"""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

# ISO 3166-1 alpha-2: every officially assigned country code.
COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()
)
WORLDWIDE = "worldwide"


def country_list(value):
    """
    "jp, us GB" as ["JP", "US", "GB"], or ["worldwide"]; ValidationError naming any code
    that is not an ISO 3166-1 country.
    """
    words = value.replace(",", " ").split()
    if [word.lower() for word in words] == [WORLDWIDE]:
        return [WORLDWIDE]
    codes = list(dict.fromkeys(word.upper() for word in words))
    if not codes:
        raise ValidationError("Give the countries' two-letter codes (JP US), or “worldwide”.")
    unknown = [code for code in codes if code not in COUNTRY_CODES]
    if unknown:
        raise ValidationError(
            "%(codes)s %(are)s not ISO 3166 country code%(s)s: give two-letter codes such "
            "as JP, US or GB, or “worldwide”.",
            params={
                "codes": ", ".join(unknown),
                "are": "is" if len(unknown) == 1 else "are",
                "s": "" if len(unknown) == 1 else "s",
            },
        )
    return codes


def valid_countries(value):
    country_list(value)


def web_link(value):
    """A web address only: a javascript: link must never reach a page."""
    URLValidator(
        schemes=["http", "https"], message="Give a web address starting with http:// or https://."
    )(value)


class StreamingService(models.Model):
    """A service curators list (Netflix, Crunchyroll…): options can only name one of these."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class WatchOption(models.Model):
    """One place a title can be watched, as a curator checked it on `checked_on`."""

    class Access(models.TextChoices):
        STREAM = "stream", "Streaming with a subscription"
        FREE = "free", "Free to stream"
        RENT = "rent", "To rent"
        BUY = "buy", "To buy"

    title = models.ForeignKey(
        "catalogue.Title", on_delete=models.CASCADE, related_name="watch_options"
    )
    service = models.ForeignKey(StreamingService, on_delete=models.PROTECT, related_name="options")
    link = models.URLField(max_length=500, validators=[web_link])
    countries = models.CharField(
        max_length=800,
        validators=[valid_countries],
        help_text="ISO 3166 two-letter codes separated by spaces (JP US GB), or “worldwide”.",
    )
    access = models.CharField(max_length=10, choices=Access.choices)
    checked_on = models.DateField(help_text="The day someone checked it was there.")
    source = models.CharField(
        max_length=300, blank=True, help_text="Where the fact comes from, if not our own check."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["title", "service", "access"], name="watch_option_once_per_service"
            ),
            models.CheckConstraint(
                condition=models.Q(access__in=["stream", "free", "rent", "buy"]),
                name="watch_option_access_known",
            ),
        ]

    def __str__(self):
        return f"{self.title} on {self.service} ({self.get_access_display()})"

    def clean(self):
        if self.countries:
            try:
                self.countries = " ".join(country_list(self.countries))
            except ValidationError as error:
                raise ValidationError({"countries": error}) from None

    @property
    def country_names(self):
        return "worldwide" if self.countries == WORLDWIDE else ", ".join(self.countries.split())
