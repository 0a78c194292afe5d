"""What WireMock's JVM writes byte for byte and Python must copy: Jackson's JSON text
(`jsonfmt`), Java HashMap iteration order (`javahash`), the pointer of a JSON parse error
(`jsonpointer`) and WireMock's 422 error body (`errors`). Imports nothing else of podlab.stub.
"""
