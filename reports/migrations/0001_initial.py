"""SEP reports: facts, course tags, refreshes, refresh requests, snapshots, scopes and exports.

The tables were created by the progress app's migrations before it was split into one app per
bounded context; they keep their names (``db_table``). On a database migrated before the split,
``replaces`` marks this migration applied, so nothing is created again; on a new database it
creates the tables.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("progress", "0004_reports"),
        ("progress", "0009_report_refresh_request"),
    ]

    dependencies = [
        ('learners', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReportRefresh',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('finished_at', models.DateTimeField(db_index=True)),
                ('rows', models.PositiveIntegerField(default=0)),
                ('seconds', models.FloatField(default=0)),
            ],
            options={
                'db_table': 'progress_reportrefresh',
                'ordering': ['-finished_at'],
                'get_latest_by': 'finished_at',
            },
        ),
        migrations.CreateModel(
            name='ExportJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('report', models.CharField(default='completion', max_length=32)),
                ('format', models.CharField(choices=[('csv', 'CSV'), ('xlsx', 'XLSX')], default='csv', max_length=8)),
                ('params', models.JSONField(blank=True, default=dict)),
                ('scope', models.JSONField(blank=True, default=dict)),
                ('status', models.CharField(choices=[('pending', 'En espera'), ('running', 'En proceso'), ('done', 'Terminada'), ('failed', 'Fallida')], db_index=True, default='pending', max_length=16)),
                ('progress', models.PositiveSmallIntegerField(default=0)),
                ('row_count', models.PositiveIntegerField(default=0)),
                ('storage', models.CharField(blank=True, max_length=8)),
                ('file_key', models.CharField(blank=True, max_length=255)),
                ('failure', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('download_count', models.PositiveIntegerField(default=0)),
                ('last_downloaded_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'exportación de reporte',
                'verbose_name_plural': 'exportaciones de reportes',
                'db_table': 'progress_exportjob',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ReportCourseTag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('course_id', models.IntegerField()),
                ('kind', models.CharField(choices=[('sector', 'Sector'), ('topic', 'Tema')], max_length=8)),
                ('slug', models.SlugField(max_length=100)),
                ('name', models.CharField(max_length=255)),
            ],
            options={
                'verbose_name': 'etiqueta de curso para reportes',
                'verbose_name_plural': 'etiquetas de curso para reportes',
                'db_table': 'progress_reportcoursetag',
                'indexes': [models.Index(fields=['kind', 'slug'], name='rtag_kind_slug')],
                'constraints': [models.UniqueConstraint(fields=('course_id', 'kind', 'slug'), name='rtag_unique')],
            },
        ),
        migrations.CreateModel(
            name='ReportFact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('enrollment_id', models.BigIntegerField(unique=True)),
                ('user_id', models.BigIntegerField()),
                ('course_id', models.IntegerField()),
                ('state', models.CharField(blank=True, default='', max_length=2)),
                ('subsystem_id', models.IntegerField(blank=True, null=True)),
                ('school_id', models.IntegerField(blank=True, null=True)),
                ('enrolled_on', models.DateField()),
                ('enrolled_month', models.DateField()),
                ('started_on', models.DateField(blank=True, null=True)),
                ('started_month', models.DateField(blank=True, null=True)),
                ('completed_on', models.DateField(blank=True, null=True)),
                ('completed_month', models.DateField(blank=True, null=True)),
                ('credentialed_on', models.DateField(blank=True, null=True)),
                ('credentialed_month', models.DateField(blank=True, null=True)),
                ('days_to_complete', models.IntegerField(blank=True, null=True)),
                ('hours_completed', models.FloatField(default=0)),
            ],
            options={
                'verbose_name': 'hecho de reporte',
                'verbose_name_plural': 'hechos de reporte',
                'db_table': 'progress_reportfact',
                'indexes': [models.Index(fields=['state', 'enrolled_on'], name='rfact_state_enrolled'), models.Index(fields=['school_id'], name='rfact_school'), models.Index(fields=['subsystem_id'], name='rfact_subsystem'), models.Index(fields=['course_id'], name='rfact_course'), models.Index(fields=['enrolled_on'], name='rfact_enrolled')],
            },
        ),
        migrations.CreateModel(
            name='ReportRefreshRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('queued', 'En cola'), ('running', 'En proceso'), ('done', 'Terminada'), ('failed', 'Fallida')], db_index=True, default='queued', max_length=16)),
                ('requested_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('failure', models.TextField(blank=True)),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'solicitud de actualización de reportes',
                'verbose_name_plural': 'solicitudes de actualización de reportes',
                'db_table': 'progress_reportrefreshrequest',
                'ordering': ['-requested_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ReportSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('shape', models.CharField(max_length=64)),
                ('grouping', models.CharField(blank=True, max_length=64)),
                ('data', models.TextField()),
                ('computed_at', models.DateTimeField()),
            ],
            options={
                'verbose_name': 'instantánea de reporte',
                'verbose_name_plural': 'instantáneas de reportes',
                'db_table': 'progress_reportsnapshot',
                'constraints': [models.UniqueConstraint(fields=('shape', 'grouping'), name='rsnapshot_unique')],
            },
        ),
        migrations.CreateModel(
            name='MonitorScope',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.CharField(choices=[('national', 'Nacional'), ('state', 'Estatal'), ('school', 'Escuela')], max_length=16, verbose_name='nivel')),
                ('state', models.CharField(blank=True, choices=[('01', 'Aguascalientes'), ('02', 'Baja California'), ('03', 'Baja California Sur'), ('04', 'Campeche'), ('05', 'Coahuila de Zaragoza'), ('06', 'Colima'), ('07', 'Chiapas'), ('08', 'Chihuahua'), ('09', 'Ciudad de México'), ('10', 'Durango'), ('11', 'Guanajuato'), ('12', 'Guerrero'), ('13', 'Hidalgo'), ('14', 'Jalisco'), ('15', 'México'), ('16', 'Michoacán de Ocampo'), ('17', 'Morelos'), ('18', 'Nayarit'), ('19', 'Nuevo León'), ('20', 'Oaxaca'), ('21', 'Puebla'), ('22', 'Querétaro'), ('23', 'Quintana Roo'), ('24', 'San Luis Potosí'), ('25', 'Sinaloa'), ('26', 'Sonora'), ('27', 'Tabasco'), ('28', 'Tamaulipas'), ('29', 'Tlaxcala'), ('30', 'Veracruz de Ignacio de la Llave'), ('31', 'Yucatán'), ('32', 'Zacatecas')], max_length=2, verbose_name='entidad')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('school', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='learners.school', verbose_name='escuela')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='monitor_scope', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'alcance de monitoreo',
                'verbose_name_plural': 'alcances de monitoreo',
                'db_table': 'progress_monitorscope',
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('level', 'national'), ('school__isnull', True), ('state', '')), models.Q(('level', 'state'), ('school__isnull', True), models.Q(('state', ''), _negated=True)), models.Q(('level', 'school'), ('school__isnull', False)), _connector='OR'), name='monitorscope_level_fields')],
            },
        ),
    ]
