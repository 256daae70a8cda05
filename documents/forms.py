from django import forms
from django.utils.translation import gettext_lazy as _


class TemplateForm(forms.Form):
    source = forms.CharField(
        label=_("Template source (Jinja2, HTML)"),
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "false", "class": "code"}),
        max_length=200_000,
    )
