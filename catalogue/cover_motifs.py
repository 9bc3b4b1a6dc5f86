"""
The motifs of generated covers: a few simple shapes per theme, drawn with Pillow's
primitives under a cover's kind mark and name panel.

Each motif is `motif(draw, rng, palette)`: it draws on a cover of `WIDTH` × `HEIGHT`
in `palette.motif` (and mixes of it with the background), and takes every random
choice from `rng`, so that the same seed always draws the same shapes.
"""

import math

# The size of a generated cover, in pixels.
WIDTH, HEIGHT = 400, 600


def _mix(first, second, share):
    return tuple(round(a + (b - a) * share) for a, b in zip(first, second, strict=True))


def _background_at(palette, y):
    return _mix(palette.sky, palette.ground, y / HEIGHT)


def rain(draw, rng, palette):
    for _ in range(70):
        x, y, length = rng.randrange(-40, WIDTH), rng.randrange(-40, HEIGHT), rng.randrange(24, 64)
        draw.line((x, y, x + length // 4, y + length), fill=palette.motif, width=2)


def _ellipse_points(x, y, radius_x, radius_y, angle):
    cos, sin = math.cos(angle), math.sin(angle)
    return [
        (x + radius_x * math.cos(t) * cos - radius_y * math.sin(t) * sin,
         y + radius_x * math.cos(t) * sin + radius_y * math.sin(t) * cos)
        for t in (step * math.pi / 8 for step in range(16))
    ]  # fmt: skip


def petals(draw, rng, palette):
    for _ in range(36):
        x, y, size = rng.randrange(WIDTH), rng.randrange(HEIGHT), rng.randrange(8, 16)
        points = _ellipse_points(x, y, size, size * 0.55, rng.random() * math.pi)
        draw.polygon(points, fill=palette.motif)


def _star(draw, x, y, size, colour):
    thin = max(1, size // 4)
    draw.polygon(
        [(x, y - size), (x + thin, y - thin), (x + size, y), (x + thin, y + thin),
         (x, y + size), (x - thin, y + thin), (x - size, y), (x - thin, y - thin)],
        fill=colour,
    )  # fmt: skip


def stars(draw, rng, palette):
    moon_x, moon_y = rng.randrange(240, 320), rng.randrange(90, 150)
    draw.ellipse((moon_x - 44, moon_y - 44, moon_x + 44, moon_y + 44), fill=palette.motif)
    shade = _background_at(palette, moon_y)
    draw.ellipse((moon_x - 24, moon_y - 56, moon_x + 56, moon_y + 24), fill=shade)
    for _ in range(40):
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        _star(draw, x, y, rng.choice((3, 4, 6, 9)), palette.motif)


def waves(draw, rng, palette):
    for row in range(9):
        base, phase = 70 + row * 56 + rng.randrange(-8, 8), rng.random() * math.tau
        points = [(x, base + 12 * math.sin(x / 38 + phase)) for x in range(-10, WIDTH + 11, 6)]
        draw.line(points, fill=palette.motif, width=3)


def clock(draw, rng, palette):
    x, y, radius = WIDTH // 2, 200, 120
    box = (x - radius, y - radius, x + radius, y + radius)
    draw.ellipse(box, outline=palette.motif, width=3)
    start = rng.randrange(0, 360)
    draw.arc(box, start, start + rng.randrange(90, 270), fill=palette.motif, width=14)
    for hour in range(12):
        angle = hour * math.tau / 12
        inner = radius - (22 if hour % 3 == 0 else 12)
        draw.line(
            (x + inner * math.cos(angle), y + inner * math.sin(angle),
             x + (radius - 4) * math.cos(angle), y + (radius - 4) * math.sin(angle)),
            fill=palette.motif, width=3,
        )  # fmt: skip
    for length, angle in ((60, rng.random() * math.tau), (96, rng.random() * math.tau)):
        draw.line(
            (x, y, x + length * math.cos(angle), y + length * math.sin(angle)),
            fill=palette.motif,
            width=5,
        )


def notes(draw, rng, palette):
    for staff in (120, 300):
        for line in range(5):
            draw.line((0, staff + line * 14, WIDTH, staff + line * 14), fill=palette.motif)
        for x in range(30 + rng.randrange(20), WIDTH - 20, 64):
            y = staff + rng.randrange(0, 9) * 7
            draw.ellipse((x - 10, y - 7, x + 10, y + 7), fill=palette.motif)
            draw.line((x + 9, y, x + 9, y - 50), fill=palette.motif, width=3)
            if rng.random() < 0.5:
                draw.line((x + 9, y - 50, x + 24, y - 34), fill=palette.motif, width=3)


def embers(draw, rng, palette):
    for _ in range(60):
        x, y, size = rng.randrange(WIDTH), rng.randrange(HEIGHT), rng.choice((2, 3, 4, 6))
        draw.ellipse((x - size, y - size, x + size, y + size), fill=palette.motif)
    for x in (rng.randrange(40, 160), rng.randrange(240, 360)):
        lean = rng.randrange(-120, 120)
        draw.polygon([(x, HEIGHT), (x + 10, HEIGHT), (x + lean + 40, 0), (x + lean, 0)],
                     fill=_mix(palette.sky, palette.motif, 0.3))  # fmt: skip


def pulse(draw, rng, palette):
    y = 190
    points, x = [(0, y)], 0
    while x < WIDTH:
        x += rng.randrange(40, 70)
        points += [(x, y), (x + 8, y - 60), (x + 16, y + 40), (x + 24, y)]
        x += 24
    draw.line(points, fill=palette.motif, width=4, joint="curve")
    for _ in range(14):
        cx, cy = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        draw.rectangle((cx - 8, cy - 2, cx + 8, cy + 2), fill=palette.motif)
        draw.rectangle((cx - 2, cy - 8, cx + 2, cy + 8), fill=palette.motif)


def lanterns(draw, rng, palette):
    for x in range(40 + rng.randrange(30), WIDTH, 80):
        drop, radius = rng.randrange(80, 300), rng.randrange(16, 28)
        draw.line((x, 0, x, drop), fill=palette.motif, width=2)
        glow = _mix(_background_at(palette, drop), palette.motif, 0.45)
        draw.ellipse((x - radius - 8, drop, x + radius + 8, drop + 2 * radius + 16), fill=glow)
        draw.ellipse((x - radius, drop + 8, x + radius, drop + 2 * radius + 8), fill=palette.motif)


def cracks(draw, rng, palette):
    for _ in range(4):
        x, y = rng.randrange(WIDTH), rng.randrange(60, 360)
        for _ in range(5):
            angle, points = rng.random() * math.tau, [(x, y)]
            for _ in range(6):
                angle += rng.uniform(-0.6, 0.6)
                step = rng.randrange(14, 34)
                points.append((points[-1][0] + step * math.cos(angle),
                               points[-1][1] + step * math.sin(angle)))  # fmt: skip
            draw.line(points, fill=palette.motif, width=2)


def rings(draw, rng, palette):
    for _ in range(9):
        x, y, radius = rng.randrange(WIDTH), rng.randrange(HEIGHT), rng.randrange(14, 30)
        for offset in (-radius * 0.6, radius * 0.6):
            box = (x + offset - radius, y - radius, x + offset + radius, y + radius)
            draw.ellipse(box, outline=palette.motif, width=4)


def sunrise(draw, rng, palette):
    x, y = rng.randrange(120, 280), 300
    for ray in range(13):
        angle = math.pi + ray * math.pi / 12
        draw.line((x, y, x + 400 * math.cos(angle), y + 400 * math.sin(angle)),
                  fill=palette.motif, width=4)  # fmt: skip
    draw.ellipse((x - 70, y - 70, x + 70, y + 70), fill=palette.motif)


def fireflies(draw, rng, palette):
    for _ in range(30):
        x, y, size = rng.randrange(WIDTH), rng.randrange(HEIGHT), rng.randrange(3, 6)
        background = _background_at(palette, y)
        for ring, share in ((3, 0.2), (2, 0.45), (1, 1.0)):
            radius = size * ring
            colour = _mix(background, palette.motif, share)
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)


def rays(draw, rng, palette):
    x = rng.randrange(0, WIDTH)
    for _ in range(7):
        end, spread = rng.randrange(-200, WIDTH + 200), rng.randrange(20, 50)
        draw.polygon([(x, -10), (end - spread, HEIGHT), (end + spread, HEIGHT)],
                     fill=_mix(palette.sky, palette.motif, 0.5))  # fmt: skip


def drop(draw, rng, palette):
    """The site's mark, a falling drop, for titles without a theme."""
    x = WIDTH // 2
    draw.ellipse((x - 30, 150, x + 30, 210), fill=palette.motif)
    draw.polygon([(x - 27, 170), (x, 100), (x + 27, 170)], fill=palette.motif)
