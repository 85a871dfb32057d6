from django.core.management.base import BaseCommand, CommandError

from accounts.api_tokens import api_token_create
from accounts.models import User
from core.errors import LoopworkError


class Command(BaseCommand):
    help = "Create an API token for a user and print it once."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="Command line")

    def handle(self, *args, email, name, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the email {email}.")
        try:
            token, secret = api_token_create(user=user, name=name)
        except LoopworkError as error:
            raise CommandError(error.message) from error
        self.stdout.write(secret)
        self.stderr.write(f"Token {token.prefix}… created; it will not be shown again.")
