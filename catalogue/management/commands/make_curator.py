from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

CURATORS = "Curators"


class Command(BaseCommand):
    """
    Make an existing member a curator: staff (so they can sign in to /admin/) and in
    the Curators group, which holds exactly the curation and moderation permissions.
    `--remove` takes both away again.
    """

    help = "Give a member curator rights in the admin (or take them away with --remove)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--remove", action="store_true", help="Stop them being a curator.")

    def handle(self, *args, username, remove, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(
                f"No member is called {username!r}: they must sign up first."
            ) from None
        try:
            curators = Group.objects.get(name=CURATORS)
        except Group.DoesNotExist:
            raise CommandError(
                "The Curators group is missing: run `manage.py migrate` first."
            ) from None
        if remove:
            user.groups.remove(curators)
            if not user.is_superuser:
                user.is_staff = False
                user.save(update_fields=["is_staff"])
            self.stdout.write(f"{username} is no longer a curator.")
            return
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(curators)
        self.stdout.write(f"{username} is now a curator: they can sign in at /admin/.")
