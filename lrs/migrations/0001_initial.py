"""The LRS's tables: statements and their agents and activities, documents, attachments, clients,
learner identities and the forwarding outbox.

The tables were created by the progress app's migrations before it was split into one app per
bounded context; they keep their names (``db_table``). On a database migrated before the split,
``replaces`` marks this migration applied, so nothing is created again; on a new database it
creates the tables.
"""

import django.db.models.deletion
import lrs.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("progress", "0001_initial"),
        ("progress", "0003_merge_lrs_learners"),
        ("progress", "0007_statement_client_single_index"),
        ("progress", "0008_statement_actor_via_agent_table"),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LRSActivity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('iri', models.CharField(max_length=512, unique=True)),
                ('definition', models.JSONField(default=dict)),
                ('updated', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'LRS activity',
                'verbose_name_plural': 'LRS activities',
                'db_table': 'progress_lrsactivity',
            },
        ),
        migrations.CreateModel(
            name='LRSAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sha2', models.CharField(max_length=128, unique=True)),
                ('content_type', models.CharField(max_length=255)),
                ('length', models.BigIntegerField()),
                ('file', models.FileField(max_length=300, upload_to=lrs.models.attachment_upload_to)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'db_table': 'progress_lrsattachment',
            },
        ),
        migrations.CreateModel(
            name='LRSClient',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200)),
                ('key', models.CharField(max_length=64, unique=True)),
                ('secret_hash', models.CharField(max_length=64)),
                ('scopes', models.JSONField(blank=True, default=list)),
                ('active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': 'LRS client',
                'verbose_name_plural': 'LRS clients',
                'db_table': 'progress_lrsclient',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='ForwardedStatement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('statement_id', models.UUIDField(unique=True)),
                ('payload', models.JSONField()),
                ('status', models.CharField(choices=[('pending', 'pending'), ('sent', 'sent'), ('failed', 'failed')], default='pending', max_length=8)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('next_attempt_at', models.DateTimeField()),
                ('last_status_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True, default='')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'db_table': 'progress_forwardedstatement',
                'indexes': [models.Index(condition=models.Q(('status', 'pending')), fields=['next_attempt_at'], name='progress_fwd_due'), models.Index(condition=models.Q(('status', 'sent'), _negated=True), fields=['status', 'id'], name='progress_fwd_status')],
            },
        ),
        migrations.CreateModel(
            name='LearnerIdentity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('account_name', models.CharField(default=lrs.models._new_account_name, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='learner_identity', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'learner identity',
                'verbose_name_plural': 'learner identities',
                'db_table': 'progress_learneridentity',
            },
        ),
        migrations.CreateModel(
            name='LRSDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('state', 'State'), ('activity_profile', 'Activity profile'), ('agent_profile', 'Agent profile')], max_length=20)),
                ('activity', models.CharField(blank=True, default='', max_length=512)),
                ('agent_ifi', models.CharField(blank=True, default='', max_length=512)),
                ('registration', models.CharField(blank=True, default='', max_length=36)),
                ('document_id', models.CharField(max_length=512)),
                ('content', models.BinaryField()),
                ('content_type', models.CharField(max_length=255)),
                ('etag', models.CharField(max_length=40)),
                ('updated', models.DateTimeField()),
            ],
            options={
                'db_table': 'progress_lrsdocument',
                'indexes': [models.Index(fields=['kind', 'activity', 'agent_ifi', 'registration'], name='lrs_document_scope')],
                'constraints': [models.UniqueConstraint(fields=('kind', 'activity', 'agent_ifi', 'registration', 'document_id'), name='lrs_document_unique')],
            },
        ),
        migrations.CreateModel(
            name='Statement',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('statement_id', models.UUIDField(unique=True)),
                ('data', models.JSONField()),
                ('actor_ifi', models.CharField(max_length=512)),
                ('verb', models.CharField(max_length=512)),
                ('activity', models.CharField(blank=True, max_length=512, null=True)),
                ('registration', models.UUIDField(blank=True, null=True)),
                ('ref_target', models.UUIDField(blank=True, null=True)),
                ('voiding', models.BooleanField(default=False)),
                ('voided', models.BooleanField(default=False)),
                ('has_attachments', models.BooleanField(default=False)),
                ('stored', models.DateTimeField()),
                ('timestamp', models.DateTimeField()),
                ('client', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='lrs.lrsclient')),
                ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'progress_statement',
            },
        ),
        migrations.CreateModel(
            name='StatementActivity',
            fields=[
                ('pk', models.CompositePrimaryKey('activity', 'statement', blank=True, editable=False, primary_key=True, serialize=False)),
                ('activity', models.CharField(max_length=512)),
                ('statement', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='lrs.statement')),
            ],
            options={
                'db_table': 'progress_statementactivity',
            },
        ),
        migrations.CreateModel(
            name='StatementAgent',
            fields=[
                ('pk', models.CompositePrimaryKey('ifi', 'statement', blank=True, editable=False, primary_key=True, serialize=False)),
                ('ifi', models.CharField(max_length=512)),
                ('direct', models.BooleanField(default=False)),
                ('statement', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='lrs.statement')),
            ],
            options={
                'db_table': 'progress_statementagent',
            },
        ),
        migrations.AddIndex(
            model_name='statement',
            index=models.Index(fields=['verb', '-id'], name='lrs_stmt_verb'),
        ),
        migrations.AddIndex(
            model_name='statement',
            index=models.Index(fields=['activity', '-id'], name='lrs_stmt_activity'),
        ),
        migrations.AddIndex(
            model_name='statement',
            index=models.Index(condition=models.Q(('registration__isnull', False)), fields=['registration', '-id'], name='lrs_stmt_registration'),
        ),
        migrations.AddIndex(
            model_name='statement',
            index=models.Index(condition=models.Q(('ref_target__isnull', False)), fields=['ref_target'], name='lrs_stmt_ref_target'),
        ),
        migrations.AddIndex(
            model_name='statement',
            index=models.Index(fields=['stored'], name='lrs_stmt_stored'),
        ),
        migrations.AddIndex(
            model_name='statement',
            index=models.Index(fields=['client', '-id'], name='lrs_stmt_client'),
        ),
    ]
