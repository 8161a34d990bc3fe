"""Settings of the packages app (cmi5 and SCORM packages), with their defaults.

Override them in Django settings or through environment variables of the same names; they are
read at each access, so ``override_settings`` reaches them. docs/content.md lists them for
authors and operators.
"""

from __future__ import annotations

from common.appconf import AppSettings

MIB = 1024 * 1024

app_settings = AppSettings(
    "packages",
    {
        # Largest uploaded zip (the compressed file itself), in bytes.
        "LMS_PACKAGE_MAX_UPLOAD_BYTES": 300 * MIB,
        # Largest total of the package's files once uncompressed, in bytes: declared sizes
        # are checked first, and the bytes are counted again while extracting.
        "LMS_PACKAGE_MAX_BYTES": 1024 * MIB,
        # Largest single file of a package once uncompressed, in bytes.
        "LMS_PACKAGE_MAX_FILE_BYTES": 500 * MIB,
        # Most entries (files and folders) a package may hold.
        "LMS_PACKAGE_MAX_FILES": 10_000,
        # Highest compression ratio (uncompressed / compressed) of an entry, and of the whole
        # zip: above it the zip is taken for a zip bomb. Text compresses 5-20 times.
        "LMS_PACKAGE_MAX_RATIO": 200,
        # Entries smaller than this are not checked for their ratio (a 4 KiB file of spaces
        # compresses 100 times and harms nobody).
        "LMS_PACKAGE_RATIO_MIN_BYTES": 1 * MIB,
        # Longest path of an entry inside the zip, in characters.
        "LMS_PACKAGE_MAX_PATH_LENGTH": 512,
        # Largest manifest (cmi5.xml / imsmanifest.xml) parsed, in bytes.
        "LMS_PACKAGE_MAX_MANIFEST_BYTES": 5 * MIB,
        # Where the packages' files are kept in default_storage (media/ or the S3 bucket).
        "LMS_PACKAGE_STORAGE_PREFIX": "packages",
        # Cache-Control max-age of the served files, in seconds (always "private").
        "LMS_PACKAGE_CACHE_SECONDS": 3600,
        # A cmi5 session with no statement or document request for this many seconds and no
        # "terminated" is abandoned: Capacita writes "abandoned" for it (cmi5 section 9.3.6).
        "LMS_CMI5_ABANDON_AFTER_SECONDS": 4 * 3600,
        # How often the abandonment sweep runs, in seconds.
        "LMS_CMI5_ABANDON_SWEEP_SECONDS": 300,
        # A SCORM attempt that its SCO initialized and never terminated (a closed tab, a lost
        # device) with no commit and no launch for this many seconds is closed: Capacita
        # writes "terminated" for it, and the learner's next launch starts a new attempt.
        # Until then a launch resumes it, so this is how long a learner may come back to
        # where she left (7 days).
        "LMS_SCORM_ABANDON_AFTER_SECONDS": 7 * 24 * 3600,
        # How often the SCORM sweep runs, in seconds.
        "LMS_SCORM_ABANDON_SWEEP_SECONDS": 3600,
        # Imports run in a Celery worker. A queued import whose message was sent this many
        # seconds ago and that no worker started is sent again (a refused or lost message).
        "LMS_PACKAGE_IMPORT_RESEND_SECONDS": 300,
        # A running import whose worker gave no news for this many seconds is presumed dead
        # and run again: keep it above CELERY_TASK_TIME_LIMIT (30 minutes by default).
        "LMS_PACKAGE_IMPORT_STALE_SECONDS": 35 * 60,
        # Runs of an import that fails unexpectedly (storage or database down) before it is
        # marked failed; its zip is kept so staff can try again.
        "LMS_PACKAGE_IMPORT_MAX_ATTEMPTS": 3,
        # How often the imports sweep runs, in seconds.
        "LMS_PACKAGE_IMPORT_SWEEP_SECONDS": 60,
        # How often the files a dead import left in storage are looked for, in seconds (it
        # lists the packages' folder: once a day).
        "LMS_PACKAGE_ORPHAN_SWEEP_SECONDS": 24 * 3600,
    },
    beat=lambda value: {
        "packages-cmi5-abandon": {
            "task": "packages.cmi5.abandon_stale_sessions",
            "schedule": float(value("LMS_CMI5_ABANDON_SWEEP_SECONDS")),
        },
        "packages-import-sweep": {
            "task": "packages.import_sweep",
            "schedule": float(value("LMS_PACKAGE_IMPORT_SWEEP_SECONDS")),
        },
        "packages-orphan-files": {
            "task": "packages.orphan_files_delete",
            "schedule": float(value("LMS_PACKAGE_ORPHAN_SWEEP_SECONDS")),
        },
        "packages-scorm-abandon": {
            "task": "packages.scorm.abandon_stale_attempts",
            "schedule": float(value("LMS_SCORM_ABANDON_SWEEP_SECONDS")),
        },
    },
)
