#!/usr/bin/env python3
"""A CPU load of a given shape, to stand in for the audit database's: busy BUSY ms every PERIOD ms, until killed.

   bench/wrk/burn.py 3 23      # ~0.13 of a core in bursts of 3 ms, as the embedded PostgreSQL's COPYs of ~500 rows

Used by run.sh's "+burn" contenders (BURN="busy:period"): the same contender with this load beside it, to tell
what any such load costs on the machine from what the audit log itself costs.
"""
import sys
import time

busy, period = float(sys.argv[1]) / 1000, float(sys.argv[2]) / 1000
next_start = time.perf_counter()
while True:
    end = next_start + busy
    while time.perf_counter() < end:
        pass
    next_start += period
    pause = next_start - time.perf_counter()
    if pause > 0:
        time.sleep(pause)
    else:
        next_start = time.perf_counter()
