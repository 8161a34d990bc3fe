"""SCORM 1.2 / 2004 run-time, recorded as xAPI in Capacita's LRS.

The browser runs the data model (scorm-again, vendored under ``packages/static/packages/vendor``)
and commits the elements Capacita keeps to :mod:`packages.scorm.views`; :mod:`.datamodel`
validates them, :mod:`.services` keeps the attempt and writes the xAPI statements (built by
:mod:`.statements`) and the attempt's State document through the LRS's services.
"""
