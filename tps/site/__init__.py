"""Build orchestration shared by tasks.py and the tests: validate the content,
build the sites with Pelican into staging folders, swap them in only on success."""
