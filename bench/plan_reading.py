"""
Reading a query plan, for bench/plans.py: which tables it reads whole (rather than
through an index condition), a one-line verdict, and why, where that is known.
"""

import re

from django.db import connection

SLOW_MS = 5  # an indexed read slower than this still reads many rows

# Tables small enough that reading them whole is cheaper than any index: a few rows
# that only curators add (themes, sources, provenance), single rows, and Django's own
# lists of groups, content types and permissions.
TINY_TABLES = {
    "catalogue_theme",
    "catalogue_source",
    "catalogue_mention",
    "catalogue_contentversion",
    "reviews_tearprior",
    "auth_group",
    "auth_group_permissions",
    "auth_permission",
    "django_content_type",
}

# Why a query reads a table whole, when that is by design or needs more than an index:
# (names of columns the query is ordered by, why) here, (a pattern in the SQL, why) below.
ORDER_NOTES = [
    (
        {"tear_score", "rating_count", "comment_count", "dispute_share"},
        "Ordered by a stored TitleStats number but filtered first by something more "
        "selective (a theme, a filter), so the database reads the matching titles and sorts "
        "them; unfiltered, the order comes from the number's index (titlestats_saddest, "
        "_most_rated, _most_discussed, _most_disputed).",
    ),
    (
        {"year"},
        "Not indexed on purpose: an index on year would serve this order, but SQLite (no "
        "planner statistics) would then use it for every year filter as well, 2.5 times "
        "slower for a wide range such as year_min=2000 (measured 10 ms against 26 ms).",
    ),
    (
        {"article_rank"},
        "Ordered by a correlated subquery (each title's best article rank), run for every title.",
    ),
]
SQL_NOTES = [
    (
        re.compile(r"LIKE '%"),
        "Expected: a name search matches inside any of three names (icontains), which a "
        "B-tree index cannot serve.",
    ),
    (
        re.compile(
            r'^SELECT COUNT\(\*\) AS "__count" FROM "catalogue_title"|'
            r'^SELECT "catalogue_title"."kind", COUNT'
        ),
        "Expected: a count of every matching title reads every matching title.",
    ),
    (
        re.compile(r'FROM "django_session"|FROM accounts_session'),
        "The benchmark's sessions are a few hundred rows, which PostgreSQL reads "
        "whole once it knows the table is that small; on a table of any real size the "
        "primary key serves this lookup (as on SQLite, and on PostgreSQL before it knew).",
    ),
    (
        re.compile(r'LEFT OUTER JOIN "reviews_report" .* HAVING COUNT', re.S),
        "The moderation queue starts from every visible comment and counts its open reports "
        "(a LEFT JOIN filtered in HAVING), so no index on reports can narrow it. The query "
        "has to change; see bench/README.md.",
    ),
]


def explain(sql):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (FORMAT TEXT) {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        rows = cursor.fetchall()
    depth = {0: -1}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return "\n".join(lines)


def aliases(sql):
    """{name in the plan: table} for every table and alias the SQL names."""
    tables = set(connection.introspection.table_names())
    found = {table: table for table in re.findall(r'"(\w+)"', sql) if table in tables}
    for table, alias in re.findall(r'"(\w+)" (?:AS )?"?([UT]\d+)\b', sql):
        if table in tables:
            found[alias] = table
    return found


def scans(sql, plan):
    """
    [(table, how)] for each table the plan reads whole: how is "full" (every row, in
    table order) or "index order via NAME" (every row unless a LIMIT stops it early).
    """
    names = aliases(sql)
    found = []
    if connection.vendor == "postgresql":
        lines = plan.splitlines()
        for i, line in enumerate(lines):
            if match := re.search(r"Seq Scan on (\w+)", line):
                found.append((match.group(1), "full"))
            elif match := re.search(
                r"Index (?:Only )?Scan(?: Backward)? using (\w+) on (\w+)", line
            ):
                indent = len(line) - len(line.lstrip(" ->"))
                details = []
                for following in lines[i + 1 :]:
                    if "->" in following or len(following) - len(following.lstrip()) <= indent:
                        break
                    details.append(following)
                if not any("Index Cond" in detail for detail in details):
                    found.append((match.group(2), f"index order via {match.group(1)}"))
        return found
    for line in plan.splitlines():
        detail = line.strip()
        if match := re.match(r"SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?$", detail):
            if match.group(1) in names:  # not a subquery's or a window's own rows
                how = f"index order via {match.group(2)}" if match.group(2) else "full"
                found.append((names[match.group(1)], how))
        elif match := re.match(r"SEARCH (\w+) USING AUTOMATIC", detail):
            found.append((names.get(match.group(1), match.group(1)), "full, for a temporary index"))
    return found


def top_level(text, separator):
    """`text` split at each `separator` outside parentheses and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
        elif not quoted and depth == 0 and text.startswith(separator, i):
            parts.append(text[start:i])
            start = i + len(separator)
    return [*parts, text[start:]]


def ordered_by(sql):
    """The names of the columns the outermost query is ordered by, as far as they show."""
    head, *rest = top_level(sql, " FROM ")
    if not rest or " ORDER BY " not in sql:
        return set()
    columns = [re.findall(r'"(\w+)"', column)[-1:] for column in top_level(head[7:], ", ")]
    order = top_level(" FROM ".join(rest), " ORDER BY ")[-1]
    order = top_level(order, " LIMIT ")[0]
    names = set()
    for term in top_level(order, ", "):
        term = term.strip()
        if term.split(" ")[0].isdigit():
            names.update(columns[int(term.split(" ")[0]) - 1])
        else:
            names.update(re.findall(r'"(\w+)"', term)[-1:])
    return names


def verdict(sql, plan, ms):
    """('index' or 'SCAN: …' naming the tables read whole, why if known)."""
    if sql.startswith("INSERT"):
        return "insert (checks its constraints through their indexes)", ""
    read_whole = scans(sql, plan)
    big = [(table, how) for table, how in read_whole if table not in TINY_TABLES]
    tiny = sorted({table for table, _ in read_whole if table in TINY_TABLES})
    notes = [why for names, why in ORDER_NOTES if names & ordered_by(sql)]
    notes += [why for pattern, why in SQL_NOTES if pattern.search(sql)]
    walks = [(table, how) for table, how in big if how != "full"]
    limited = len(top_level(sql, " LIMIT ")) > 1
    if big and big == walks and limited and ms is not None and ms < SLOW_MS:
        ways = ", ".join(
            dict.fromkeys(
                f"{table} by {how.removeprefix('index order via ')}" for table, how in walks
            )
        )
        return f"index order ({ways}), stopped by the LIMIT", ""
    if big:
        parts = [
            f"full scan of {table}" if how == "full" else f"{table} walked in {how}"
            for table, how in big
        ]
        return "SCAN: " + "; ".join(dict.fromkeys(parts)), (notes or [""])[0]
    text = "index"
    if ms is not None and ms >= SLOW_MS:
        text = f"index, but slow (≥ {SLOW_MS} ms): many rows come through it"
    if tiny:
        text += f" (reads tiny {', '.join(tiny)} whole: fine)"
    return text, (notes or [""])[0] if text != "index" else ""


COLUMN = r'(?:"\w+"\.)?"\w+"(?: AS "\w+")?'


def shorten(sql, limit=1200):
    """The SQL with runs of plain column names replaced by …, cut at `limit` characters."""
    sql = re.sub(rf"(?:{COLUMN}, ){{3,}}", "…, ", sql)
    sql = re.sub(rf"(?:{COLUMN}, ){{2,}}{COLUMN}(?= FROM | HAVING |\)| ORDER BY |$)", "…", sql)
    return sql if len(sql) <= limit else sql[:limit] + " …"


def shape(sql):
    """`sql` with the values that change between requests (times, session keys) blanked."""
    sql = re.sub(r"'\d{4}-\d\d-\d\d[ T][\d:.+]+'(::timestamptz)?", "'<time>'", sql)
    return re.sub(r'("session_key" = )\'\w+\'', r"\1'<key>'", sql)
