"""The indiflask benchmark harness: a black-box load generator for INDI servers.

The harness never imports indiflask. It starts each implementation as a
separate server process (see :mod:`bench.harness.impls`), drives it with raw
socket clients running in their own processes (:mod:`bench.harness.loadgen`)
and counts closing tags with :meth:`bytes.count` instead of parsing XML, so the
load generator stays far cheaper than the servers it measures.
"""
