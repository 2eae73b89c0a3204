"""Chain every audit row to the one before it (see clinic/audit/chain.py).

Rows written before this migration are chained here, in id order. On PostgreSQL the
append-only trigger is switched off for that one backfill, inside this migration's transaction.
"""
import django.utils.timezone
from django.db import migrations, models

from clinic.audit.chain import GENESIS, HASHED_FIELDS, event_hash


def chain_existing_rows(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        # ALTER TABLE refuses to run while deferred foreign-key checks are pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update_or_delete")
    prev = GENESIS
    for row in AuditEvent.objects.order_by("id").iterator():
        row_hash = event_hash({name: getattr(row, name) for name in HASHED_FIELDS}, prev)
        AuditEvent.objects.filter(pk=row.pk).update(prev_hash=prev, hash=row_hash)
        prev = row_hash
    if postgres:
        schema_editor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_update_or_delete")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "View"),
                    ("create", "Create"),
                    ("update", "Update"),
                    ("delete", "Delete"),
                    ("export", "Export"),
                    ("sign_in", "Sign-in"),
                    ("sign_in_failed", "Sign-in failed"),
                    ("sign_out", "Sign-out"),
                    ("unlock", "Lockout lifted"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
    ]
