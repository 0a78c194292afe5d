"""What podlab says about requests: the "Request was not matched" report (`not_matched`),
near misses (`near_misses`) and the `--verbose` log text (`verbose_log`). Pure formatting.
"""
