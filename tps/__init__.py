"""The Toronto Police Service public website and staff intranet (Pelican).

One subpackage per capability (units, blogs, social_feeds, governance, ...),
each holding its Pelican plugin and its command back end; tps.core holds the
helpers they share and imports none of them; tps.site is the site-wide
orchestration (build, check, publish, audit) that only tasks.py, the tests and
the benchmarks import. Pelican loads the plugins by name: PLUGINS =
["tps.units", ...] in pelican.conf.py."""
