"""Let these tests run with or without pytest-django.

Under pytest-django (DJANGO_SETTINGS_MODULE set) the real settings are used untouched. Run
bare (`-p no:django`, no settings module) a minimal English configuration is enough: the
code under test only needs translation and date formatting.
"""

import os

import django
from django.apps import apps
from django.conf import settings

if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
    settings.configure(USE_I18N=False)
if not apps.ready:
    django.setup()
