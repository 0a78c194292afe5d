"""The WireMock admin API (`/__admin/...`): routes and answers over the store."""
