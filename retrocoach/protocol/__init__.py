"""Bytes <-> values for FTMS and the Heart Rate Service. Pure: no I/O, no Qt, no bleak."""
