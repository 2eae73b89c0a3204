"""Record the owner of every live session that existed before SessionOwner did.

Decodes each live session once, here, so that ending a person's sessions afterwards finds the
sessions started before this release too. Sessions last 12 hours at most, so they are few.
"""

from django.contrib.auth import SESSION_KEY
from django.db import migrations
from django.utils import timezone


def backfill(apps, schema_editor):
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    SessionOwner = apps.get_model("ops", "SessionOwner")
    User = apps.get_model("accounts", "User")
    store = SessionStore()
    owners = {}
    for key, data in Session.objects.filter(expire_date__gt=timezone.now()).values_list(
        "session_key", "session_data"
    ):
        user_id = store.decode(data).get(SESSION_KEY)
        if user_id is not None and str(user_id).isdigit():
            owners[key] = int(user_id)
    known = set(User.objects.filter(pk__in=set(owners.values())).values_list("pk", flat=True))
    SessionOwner.objects.bulk_create(
        [SessionOwner(session_key=key, user_id=user_id) for key, user_id in owners.items() if user_id in known],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0001_session_owner"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
