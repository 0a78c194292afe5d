"""Built-in images: what each image name means as a local program (resolve.py).

Nothing is imported here: the built-in servers (agnhost, the stub) start by importing a module
of this package inside every container, and each millisecond of import is paid per pod start.
"""
