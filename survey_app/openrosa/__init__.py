"""The OpenRosa 1.0 server: ODK Collect, KoboCollect and Enketo collect into the platform.

One server address per campaign and unit (``/openrosa/<campaign>/<unit>``), authenticated
by the collector's staff account over HTTP Basic. The form, the instance parsing and the
storing are in ``domain/submissions/openrosa.py``; docs/odk.md tells how to use it.
"""
