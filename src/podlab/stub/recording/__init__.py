"""Recording: stubs made from proxied exchanges, as WireMock 3.13.2 makes them.

`spec` reads the record spec (the body of /__admin/recordings/start and /snapshot), `snapshot`
turns journal entries into stub mapping JSON without I/O, `recorder` keeps the
NeverStarted/Recording/Stopped state and adds the stubs, `live` is `--record-mappings`, and
`names` holds WireMock's file and stub naming.
"""
