"""Broadcasts: one message to a list of customers (pure rules, no Qt, no I/O).

recipients  - CSV bytes or pasted cells into a table, the table into recipients
template    - {merge_field} templates
preview     - each row's own text, character set and segments, run totals
quiet_hours - the recipient's local time from the area code, and when to send
rate        - the per-second / per-minute limiter, driven by an injected clock
do_not_contact - the do-not-contact list's CSV form
"""
