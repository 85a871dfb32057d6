from django import forms

from .models import User, WorkerProfile


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
