"""Which stub serves a request: the serving order with its exact-url index (`order`) and the
scenario state machines that gate stubs (`scenarios`). Above `model/`, below `report/`.
"""
