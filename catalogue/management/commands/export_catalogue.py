import datetime
import json
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder

from catalogue.models import Mention, Source, Theme, Title

CURATED_MODELS = [Mention, Source, Theme, Title]


class ExactJSONEncoder(DjangoJSONEncoder):
    """Keeps timestamps to the microsecond, so a title loaded back is the title saved."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def catalogue_json():
    """
    The curated catalogue as fixture JSON: themes, sources, titles and their
    provenance, nothing members wrote. Records are sorted by model then pk, and a
    title's themes by pk, so that unchanged rows produce unchanged lines. Posters
    are kept as paths into MEDIA_ROOT; generated covers are left out (make_covers
    draws them again from the names).
    """
    records = []
    for model in sorted(CURATED_MODELS, key=lambda model: model._meta.label_lower):
        rows = model.objects.order_by("pk")
        if model is Title:
            rows = rows.prefetch_related("themes")
        records += serializers.serialize("python", rows)
    for record in records:
        if record["model"] == "catalogue.title":
            record["fields"]["themes"] = sorted(record["fields"]["themes"])
            record["fields"]["cover"] = ""
        record["fields"] = _in_declaration_order(record["fields"], record["model"])
    return json.dumps(records, indent=2, ensure_ascii=False, cls=ExactJSONEncoder) + "\n"


def _in_declaration_order(fields, label):
    """The fields in the order the model declares them (the serializer puts many-to-many last)."""
    model = next(model for model in CURATED_MODELS if model._meta.label_lower == label)
    declared = sorted(
        [*model._meta.concrete_fields, *model._meta.many_to_many],
        key=lambda field: field.creation_counter,
    )
    return {field.name: fields[field.name] for field in declared if field.name in fields}


class Command(BaseCommand):
    """Write the curated catalogue back to fixtures/ so curation can be committed."""

    help = (
        "Export themes, sources, titles and provenance to fixtures/catalogue.json "
        "(or --output), in a stable order that makes a readable diff."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="Where to write (default: fixtures/catalogue.json in the project).",
        )

    def handle(self, *args, output, **options):
        output = output or Path(settings.BASE_DIR) / "fixtures" / "catalogue.json"
        text = catalogue_json()
        # Write beside the target and rename, so an interrupted export never leaves
        # half a fixture behind.
        output.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=output.parent, suffix=".tmp", delete=False
        ) as partial:
            partial.write(text)
        os.replace(partial.name, output)
        counts = ", ".join(
            f"{model.objects.count()} {model._meta.verbose_name_plural}"
            for model in [Title, Theme, Source, Mention]
        )
        self.stdout.write(f"Wrote {counts} to {output}.")
