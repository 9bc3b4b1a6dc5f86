"""
The vocabulary of the demo data: made-up title names with their romaji, fictional
studios, synopsis parts and comment sentences. No real title or studio is named, so
demo rows can never be mistaken for catalogue facts.
"""

# (English pattern, romaji pattern) over the word lists below.
NAME_PATTERNS = [
    ("The {adj} {noun}", "{adj_r} {noun_r}"),
    ("{nouns} of the {noun2}", "{noun2_r} no {noun_r}"),
    ("Until the {noun} {verb}", "{noun_r} ga {verb_r} made"),
    ("A {noun} for {person}", "{person} e no {noun_r}"),
    ("{person}'s {noun}", "{person} no {noun_r}"),
    ("{adj} {noun} under the {noun2}", "{noun2_r} no shita no {adj_r} {noun_r}"),
    ("The {noun} We Left in {season}", "{season_r} ni nokoshita {noun_r}"),
]
NOUNS = {
    "Star": "Hoshi",
    "Letter": "Tegami",
    "Rain": "Ame",
    "Snow": "Yuki",
    "Sky": "Sora",
    "Flower": "Hana",
    "Sea": "Umi",
    "Light": "Hikari",
    "Wind": "Kaze",
    "Dream": "Yume",
    "Memory": "Kioku",
    "Promise": "Yakusoku",
    "Song": "Uta",
    "Moon": "Tsuki",
    "Firefly": "Hotaru",
    "Bird": "Tori",
    "Tomorrow": "Ashita",
    "Heart": "Kokoro",
    "Tear": "Namida",
    "Lantern": "Chouchin",
    "Train": "Densha",
    "Garden": "Niwa",
    "Umbrella": "Kasa",
    "Lighthouse": "Toudai",
    "Paper Crane": "Orizuru",
}
ADJECTIVES = {
    "Last": "Saigo no",
    "Quiet": "Shizuka na",
    "Distant": "Tooi",
    "Little": "Chiisana",
    "Forgotten": "Wasurerareta",
    "Blue": "Aoi",
    "Falling": "Ochiru",
    "Borrowed": "Karita",
    "Unsent": "Todokanai",
    "Paper": "Kami no",
    "Winter": "Fuyu no",
    "Faded": "Aseta",
    "Broken": "Kowareta",
    "Endless": "Owaranai",
    "Silent": "Mugon no",
}
VERBS = {
    "Melts": "tokeru",
    "Falls": "furu",
    "Fades": "kieru",
    "Returns": "kaeru",
    "Sleeps": "nemuru",
    "Sings": "utau",
}
SEASONS = {"Spring": "Haru", "Summer": "Natsu", "Autumn": "Aki", "Winter": "Fuyu"}
PEOPLE = [
    "Haruka",
    "Sora",
    "Aoi",
    "Hinata",
    "Ren",
    "Yuki",
    "Kaede",
    "Mio",
    "Shiori",
    "Takumi",
    "Nagisa",
    "Akari",
    "Minato",
    "Chihiro",
    "Itsuki",
    "Tsumugi",
    "Kou",
]
STUDIOS = [
    "Studio Amayadori",
    "Hoshikage Animation",
    "Kumo Pictures",
    "Studio Sazanami",
    "Tsukiakari Works",
    "Aozora Animation",
    "Studio Hinageshi",
    "Nagare Films",
    "Kirameki Studio",
    "Yuugure Pictures",
    "Studio Komorebi",
    "Shiosai Animation",
]
PLACES = [
    "a fishing town in Hokkaido",
    "post-war Kobe",
    "a hospital on the edge of Tokyo",
    "a mountain village that is about to be flooded",
    "a seaside town in Shikoku",
    "a boarding school in the snow",
    "a small bakery in Osaka",
    "a lighthouse island",
    "a city that forgets its dead",
    "the last train line of a dying town",
]
HEROES = [
    "A shy violinist",
    "A boy who can see the recently departed",
    "Two sisters",
    "A retired pilot",
    "A girl with one summer left",
    "A robot caretaker",
    "A grieving father",
    "Three childhood friends",
    "A letter carrier",
    "A young widow",
    "A runaway cat and its owner",
]
PLOTS = [
    "tries to keep a promise made years ago",
    "counts the days until the festival",
    "writes letters that can never be sent",
    "rebuilds a broken music box",
    "searches for the friend who vanished one summer",
    "learns to say goodbye",
    "has one more week with the person they love",
    "looks after a dying garden",
]
TAGLINES = [
    "Some goodbyes take a whole lifetime.",
    "Nobody leaves it dry-eyed.",
    "Small moments, enormous feelings.",
    "A story about what we carry on.",
    "Bring tissues. Bring two packs.",
    "Every season has its ending.",
]
HURTS = [
    "It lets a quiet ending land without a single word.",
    "It makes you love everyone before it takes them away.",
    "Its last ten minutes undo even the toughest viewers.",
    "It treats loss honestly, without melodrama.",
    "The music does half the crying for you.",
]
COMMENT_SENTENCES = [
    "I was not ready for the ending.",
    "The soundtrack alone broke me.",
    "Watched it with my mum and we both cried.",
    "Years later I still think about it.",
    "Slow start, but stay with it.",
    "The final episode is a masterpiece.",
    "I had to pause it twice to breathe.",
    "Not as sad as people say, but beautiful.",
    "The animation of the rain scenes is stunning.",
    "I rewatch it every winter.",
    "It hit differently after losing my grandfather.",
    "Perfect pacing, perfect ending.",
    "I laughed a lot before it hurt.",
    "The side characters deserve their own show.",
]
SPOILER_SENTENCES = [
    "When the letter finally arrives, I lost it.",
    "I did not expect the narrator to be the one who died.",
    "That last scene at the station is unbearable.",
]
STANCE_SENTENCES = {
    "agree": ["The list got this one right.", "It deserves its place near the top."],
    "disagree": ["I don't get why it's ranked so high.", "It should be much higher."],
}
