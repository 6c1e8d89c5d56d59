"""IVR projects: every Trigger branch of a call flow, its rules and replies, in one file.

- `conditions`, `condition_reader`: the condition language a rule is written in ("input is 1 and
  time is between 09:00 and 17:00"), parsed, written back and evaluated.
- `runtime`: picks the reply for one request; the same code runs in the
  console's offline walk and inside the exported endpoint.
- `model`, `project_file`, `edits`: the project as data, its file, its changes.
- `checks`, `partial`: the project-wide check.
- `walker`, `walks`: walking a call offline and keeping walks as test cases.
- `exporter`, `endpoint_server`, `tests_export`: the self-contained endpoint
  and its test file.

`conditions`, `condition_reader`, `runtime` and `endpoint_server` use the standard library only
and run on Python 3.10: the exporter copies their source into the endpoint.
"""
