from django import forms
from django.conf import settings

from core.categories import Category
from core.errors import LoopworkError

from .companies import logo_check
from .models import Country, Language, Membership, User, WorkerProfile
from .notification_kinds import Channel, NotificationKind
from .profiles import MAX_WEEKLY_HOURS, timezone_names


class SignupRoleForm(forms.Form):
    """Extra sign-up field: does the person look for work or hire? (allauth calls signup())."""

    role = forms.ChoiceField(
        choices=User.Role.choices,
        initial=User.Role.WORKER,
        widget=forms.RadioSelect,
        label="I am",
    )

    def signup(self, request, user):
        user.role = self.cleaned_data["role"]
        user.save(update_fields=["role"])
        if user.role == User.Role.WORKER:
            WorkerProfile.objects.get_or_create(user=user)


class WorkerProfileForm(forms.Form):
    """The worker's profile; the rules are checked again by profiles.profile_update."""

    display_name = forms.CharField(
        max_length=60,
        required=False,
        label="Display name",
        help_text="Shown to companies instead of your email address.",
    )
    country = forms.ModelChoiceField(
        queryset=Country.objects.all(),
        to_field_name="code",
        required=False,
        empty_label="Choose your country",
        error_messages={"invalid_choice": "Choose a country from the list."},
    )
    languages = forms.ModelMultipleChoiceField(
        queryset=Language.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Languages you work in",
        error_messages={"invalid_choice": "Choose languages from the list."},
    )
    categories = forms.MultipleChoiceField(
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Work you are interested in",
        error_messages={"invalid_choice": "Choose categories from the list."},
    )
    weekly_hours = forms.IntegerField(
        min_value=0,
        max_value=MAX_WEEKLY_HOURS,
        required=False,
        label="Hours a week for tasks",
        help_text=f"From 0 to {MAX_WEEKLY_HOURS}.",
        error_messages={
            "min_value": f"Weekly hours must be between 0 and {MAX_WEEKLY_HOURS}.",
            "max_value": f"Weekly hours must be between 0 and {MAX_WEEKLY_HOURS}.",
        },
    )
    timezone = forms.ChoiceField(
        label="Time zone",
        error_messages={"invalid_choice": "Choose a time zone from the list."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [(name, name) for name in timezone_names()]

    @classmethod
    def initial_for(cls, profile: WorkerProfile | None) -> dict:
        if profile is None:
            return {"timezone": "UTC"}
        return {
            "display_name": profile.display_name,
            "country": profile.country_id,
            "languages": [language.code for language in profile.languages.all()],
            "categories": profile.categories,
            "weekly_hours": profile.weekly_hours,
            "timezone": profile.timezone,
        }


class LogoField(forms.FileField):
    """An optional logo upload whose real type and size are checked (companies.logo_check)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            f"PNG, JPEG or WebP, at most {settings.MAX_IMAGE_UPLOAD_BYTES // (1024 * 1024)} MB.",
        )
        kwargs.setdefault(
            "widget", forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"})
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and upload is not initial and hasattr(upload, "size"):
            try:
                logo_check(upload)
            except LoopworkError as error:
                raise forms.ValidationError(error.message, code=error.code) from None
        return upload


class CompanyForm(forms.Form):
    """A company's public details."""

    name = forms.CharField(max_length=120, label="Company name")
    website = forms.URLField(required=False, assume_scheme="https")
    description = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What your company does and what kind of work you offer.",
    )
    logo = LogoField()


class CompanySettingsForm(CompanyForm):
    remove_logo = forms.BooleanField(required=False, label="Remove the current logo")


class InvitationForm(forms.Form):
    """Invite someone by email; the roles offered depend on the inviter's role."""

    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=Membership.Role.choices)

    def __init__(self, *args, inviter_role: str, **kwargs):
        super().__init__(*args, **kwargs)
        if inviter_role != Membership.Role.OWNER:
            self.fields["role"].choices = [
                choice for choice in Membership.Role.choices if choice[0] != Membership.Role.OWNER
            ]
        self.fields["role"].initial = Membership.Role.REVIEWER


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class NotificationPreferencesForm(forms.Form):
    """One choice per kind of notification the user can get, in one form.

    The fields are the kinds of the user's audience (worker kinds for workers, company kinds
    for company members, both for someone who is both); anything else posted is ignored.
    """

    def __init__(self, *args, kinds: list[NotificationKind], saved: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind in kinds:
            self.fields[kind.name] = forms.ChoiceField(
                choices=Channel.choices,
                initial=saved.get(kind.name, kind.default),
                widget=forms.RadioSelect,
                label=kind.label,
                help_text=kind.description,
                error_messages={
                    "required": "Choose how you want this notification.",
                    "invalid_choice": "Choose one of the three options.",
                },
            )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The bound fields by group, in the page's order."""
        grouped: dict[str, list[forms.BoundField]] = {}
        for kind in self.kinds:
            grouped.setdefault(kind.group, []).append(self[kind.name])
        return list(grouped.items())
