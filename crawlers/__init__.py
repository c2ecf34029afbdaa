"""Crawlers: every source type (rss, site, social, forum, telegram, tip) turned into ``Item`` records.

Flow: ``runner.crawl`` starts a child process (``crawlers.run_once``) running one Scrapy crawler
per source; spiders (``crawlers/spiders/<type>.py``) yield ``Crawled`` records; the store pipeline
(``crawlers/pipelines.py``) applies the province filter, tags the language and upserts batches;
``crawlers/state.py`` keeps conditional-GET validators and the seen-URL record; ``crawlers/health.py``
summarises each source's health for ``giamsat sources`` and the triage alerts.
"""
