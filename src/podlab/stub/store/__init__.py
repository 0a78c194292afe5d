"""What a running server holds: the stubs with where they came from (`state`), the root
directory's mapping and body files (`files`) and the request journal (`journal`).
"""
