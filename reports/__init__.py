"""SEP monitoring reports: aggregation, scopes, small-cell suppression, charts and exports.

Every figure comes from ``ReportFact`` (ids, codes, dates and numbers only), so no report can
carry a teacher's CURP, name or e-mail.
"""
