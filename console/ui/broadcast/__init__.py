"""The Broadcast tab's parts, one for each thing a user does there.

- `state`: the tab's rules and words with no Qt (settings of a run, the live
  confirmation's lines, what the check says while it cannot run).
- `message`: step 2, the SMS or the call (with the saved templates).
- `timing`: step 3, when and how fast, and the calling rules.
- `sending`: step 4's buttons (do-not-contact list, the test, Start) around the
  check of every row, and `checking`, which keeps that check up to date.
- `launch`: what Start and the test send do.
- `steps`: the five steps as one value, for `checking` and `launch`.
- `parts`: the small Qt helpers the broadcast widgets and dialogs share.

Step 1 (the list) is console/ui/broadcast_list.py, step 5 (the runs and their
report) console/ui/broadcast_runs.py; console/ui/broadcast_tab.py composes them.
"""
