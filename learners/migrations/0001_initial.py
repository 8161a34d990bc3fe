"""Teachers and schools: subsystems, schools, profiles, enrolments, imports and the audit log.

The tables were created by the progress app's migrations before it was split into one app per
bounded context; they keep their names (``db_table``). On a database migrated before the split,
``replaces`` marks this migration applied, so nothing is created again; on a new database it
creates the tables.
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import learners.validators
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("progress", "0001_learners"),
        ("progress", "0004_enrollment"),
        ("progress", "0005_merge_0004_enrollment_0004_progress_engine"),
    ]

    dependencies = [
        ('courses', '0005_editors_translate'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Subsystem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=32, unique=True, verbose_name='clave')),
                ('name', models.CharField(max_length=200, verbose_name='nombre')),
                ('kind', models.CharField(choices=[('federal', 'Federal'), ('descentralizado_federal', 'Organismo descentralizado federal'), ('estatal', 'Estatal descentralizado'), ('otro', 'Otro')], default='otro', max_length=32, verbose_name='tipo')),
                ('description', models.TextField(blank=True, verbose_name='descripción')),
                ('active', models.BooleanField(default=True, verbose_name='activo')),
            ],
            options={
                'verbose_name': 'subsistema',
                'verbose_name_plural': 'subsistemas',
                'db_table': 'progress_subsystem',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('arco_export', 'Descarga de datos personales (ARCO)'), ('arco_cancel', 'Cancelación de datos personales (ARCO)'), ('import_schools', 'Importación de escuelas'), ('import_teachers', 'Importación de docentes'), ('account_signup', 'Registro de cuenta'), ('account_confirm', 'Confirmación de cuenta')], db_index=True, max_length=32)),
                ('target_type', models.CharField(blank=True, max_length=64)),
                ('target_id', models.CharField(blank=True, max_length=64)),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('details', models.JSONField(blank=True, default=dict)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'evento de auditoría',
                'verbose_name_plural': 'eventos de auditoría',
                'db_table': 'progress_auditevent',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ImportJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('schools', 'Escuelas'), ('teachers', 'Docentes')], max_length=16)),
                ('file', models.FileField(max_length=255, upload_to='imports/%Y/%m/')),
                ('original_name', models.CharField(blank=True, max_length=255)),
                ('status', models.CharField(choices=[('pending', 'En espera'), ('running', 'En proceso'), ('done', 'Terminada'), ('failed', 'Fallida')], db_index=True, default='pending', max_length=16)),
                ('enroll_course_id', models.PositiveIntegerField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('total_rows', models.PositiveIntegerField(default=0)),
                ('processed_rows', models.PositiveIntegerField(default=0)),
                ('created_count', models.PositiveIntegerField(default=0)),
                ('updated_count', models.PositiveIntegerField(default=0)),
                ('unchanged_count', models.PositiveIntegerField(default=0)),
                ('error_count', models.PositiveIntegerField(default=0)),
                ('warning_count', models.PositiveIntegerField(default=0)),
                ('enrolled_count', models.PositiveIntegerField(default=0)),
                ('errors', models.JSONField(blank=True, default=list)),
                ('warnings', models.JSONField(blank=True, default=list)),
                ('failure', models.TextField(blank=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'importación',
                'verbose_name_plural': 'importaciones',
                'db_table': 'progress_importjob',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='School',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('cct', models.CharField(max_length=10, unique=True, verbose_name='CCT')),
                ('name', models.CharField(max_length=255, verbose_name='nombre')),
                ('state', models.CharField(choices=[('01', 'Aguascalientes'), ('02', 'Baja California'), ('03', 'Baja California Sur'), ('04', 'Campeche'), ('05', 'Coahuila de Zaragoza'), ('06', 'Colima'), ('07', 'Chiapas'), ('08', 'Chihuahua'), ('09', 'Ciudad de México'), ('10', 'Durango'), ('11', 'Guanajuato'), ('12', 'Guerrero'), ('13', 'Hidalgo'), ('14', 'Jalisco'), ('15', 'México'), ('16', 'Michoacán de Ocampo'), ('17', 'Morelos'), ('18', 'Nayarit'), ('19', 'Nuevo León'), ('20', 'Oaxaca'), ('21', 'Puebla'), ('22', 'Querétaro'), ('23', 'Quintana Roo'), ('24', 'San Luis Potosí'), ('25', 'Sinaloa'), ('26', 'Sonora'), ('27', 'Tabasco'), ('28', 'Tamaulipas'), ('29', 'Tlaxcala'), ('30', 'Veracruz de Ignacio de la Llave'), ('31', 'Yucatán'), ('32', 'Zacatecas')], db_index=True, max_length=2, verbose_name='entidad')),
                ('municipality', models.CharField(blank=True, max_length=150, verbose_name='municipio')),
                ('cct_check_letter_ok', models.BooleanField(default=True, verbose_name='letra verificadora coincide')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('subsystem', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='schools', to='learners.subsystem', verbose_name='subsistema')),
            ],
            options={
                'verbose_name': 'escuela',
                'verbose_name_plural': 'escuelas',
                'db_table': 'progress_school',
                'ordering': ['cct'],
            },
        ),
        migrations.CreateModel(
            name='Enrollment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('active', 'Activa'), ('unenrolled', 'Baja')], default='active', max_length=16, verbose_name='estado')),
                ('enrolled_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='inscrito el')),
                ('unenrolled_at', models.DateTimeField(blank=True, null=True, verbose_name='baja el')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='iniciado el')),
                ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='concluido el')),
                ('score', models.FloatField(blank=True, help_text='De 0 a 1.', null=True, validators=[django.core.validators.MinValueValidator(0.0), django.core.validators.MaxValueValidator(1.0)], verbose_name='calificación')),
                ('credentialed_at', models.DateTimeField(blank=True, null=True, verbose_name='credencial emitida el')),
                ('hours_completed', models.FloatField(default=0.0, verbose_name='horas concluidas')),
                ('course', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='enrollments', to='courses.coursepage')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='enrollments', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'inscripción',
                'verbose_name_plural': 'inscripciones',
                'db_table': 'progress_enrollment',
                'ordering': ['-enrolled_at', '-id'],
                'indexes': [models.Index(fields=['course', 'status'], name='progress_enrol_course_status')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'active')), fields=('user', 'course'), name='progress_enrollment_one_active'), models.CheckConstraint(condition=models.Q(('score__isnull', True), models.Q(('score__gte', 0), ('score__lte', 1)), _connector='OR'), name='progress_enrollment_score_0_1')],
            },
        ),
        migrations.CreateModel(
            name='TeacherProfile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('curp', models.CharField(blank=True, max_length=18, null=True, unique=True, validators=[learners.validators.validate_curp], verbose_name='CURP')),
                ('first_name', models.CharField(blank=True, max_length=150, verbose_name='nombre(s)')),
                ('paternal_surname', models.CharField(blank=True, max_length=150, verbose_name='primer apellido')),
                ('maternal_surname', models.CharField(blank=True, max_length=150, verbose_name='segundo apellido')),
                ('state', models.CharField(blank=True, choices=[('01', 'Aguascalientes'), ('02', 'Baja California'), ('03', 'Baja California Sur'), ('04', 'Campeche'), ('05', 'Coahuila de Zaragoza'), ('06', 'Colima'), ('07', 'Chiapas'), ('08', 'Chihuahua'), ('09', 'Ciudad de México'), ('10', 'Durango'), ('11', 'Guanajuato'), ('12', 'Guerrero'), ('13', 'Hidalgo'), ('14', 'Jalisco'), ('15', 'México'), ('16', 'Michoacán de Ocampo'), ('17', 'Morelos'), ('18', 'Nayarit'), ('19', 'Nuevo León'), ('20', 'Oaxaca'), ('21', 'Puebla'), ('22', 'Querétaro'), ('23', 'Quintana Roo'), ('24', 'San Luis Potosí'), ('25', 'Sinaloa'), ('26', 'Sonora'), ('27', 'Tabasco'), ('28', 'Tamaulipas'), ('29', 'Tlaxcala'), ('30', 'Veracruz de Ignacio de la Llave'), ('31', 'Yucatán'), ('32', 'Zacatecas')], max_length=2, verbose_name='entidad')),
                ('position', models.CharField(choices=[('docente', 'Docente'), ('directivo', 'Directivo'), ('coordinador', 'Coordinador'), ('otro', 'Otro')], default='docente', max_length=16, verbose_name='función')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('cancelled_at', models.DateTimeField(blank=True, null=True, verbose_name='cancelado el')),
                ('school', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='teachers', to='learners.school', verbose_name='escuela')),
                ('subsystem', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='teachers', to='learners.subsystem', verbose_name='subsistema')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='teacher_profile', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'perfil docente',
                'verbose_name_plural': 'perfiles docentes',
                'db_table': 'progress_teacherprofile',
                'indexes': [models.Index(fields=['state', 'subsystem'], name='progress_te_state_1a1607_idx')],
            },
        ),
    ]
