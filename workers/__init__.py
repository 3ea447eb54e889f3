"""Normalise workers: stored raw documents -> claims, off the crawl's process.

The database is the queue's source of truth: a document is pending until the
transaction that writes its claims also marks it normalised. Queues (a process
pool on one machine, RQ on Redis across machines) only say which documents to do
now; whatever a dead worker left undone is still pending and is done again.
"""
