"""
When two usernames are the same name to a reader.

`alice`, `Alice`, `ＡＬＩＣＥ` (full width) and `аlice` (its first letter Cyrillic) look
alike on a page, so only one member may hold them. `fold()` turns a username into a key
that is equal for all of them: Unicode compatibility normalisation (NFKC), case folding,
then a map of letters from other scripts that are drawn like Latin ones, following the
spirit of Unicode's confusables (UTS #39) for the characters Django's username rule
admits. The key is stored beside each account with a unique constraint
(accounts.models.UsernameKey), so two sign-ups at once cannot both take a name.
"""

import unicodedata

# Lower-case letters (and digits) that render like a Latin letter in common fonts.
# Upper-case forms need no entry: case folding runs first.
LOOKALIKES = {
    # Cyrillic
    "а": "a", "в": "b", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i",
    "ј": "j", "к": "k", "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q",
    "г": "r", "ѕ": "s", "т": "t", "ц": "u", "ѵ": "v", "ԝ": "w", "х": "x", "у": "y",
    "с": "c", "ɡ": "g", "ь": "b", "п": "n",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ζ": "z", "μ": "u", "ω": "w",
    "ϲ": "c", "ϳ": "j",
    # Latin letters and digits drawn like other Latin letters
    "ı": "i", "ɩ": "i", "ℓ": "l", "0": "o", "1": "l", "|": "l", "ǀ": "l",
    "ß": "ss",
}  # fmt: skip
_TABLE = str.maketrans(LOOKALIKES)


def fold(username):
    """The key under which `username` and every name that looks the same are one."""
    folded = unicodedata.normalize("NFKC", username).casefold()
    # Decompose so that an accented lookalike (Cyrillic ё) maps like its base letter,
    # then compose again so that a Latin é stays one character.
    decomposed = unicodedata.normalize("NFD", folded).translate(_TABLE)
    return unicodedata.normalize("NFC", decomposed)
