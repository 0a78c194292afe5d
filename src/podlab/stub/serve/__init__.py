"""Serving one stub request: the pipeline (`pipeline`) from parsed request to answer, with its
steps' pure parts: templating (`templated`) and the response plan plus its wire drivers (`render`).
"""
