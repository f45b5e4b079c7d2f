"""Tooling only this repository uses (docs generators, reports, maintenance commands).

Not part of the installed package: the wheel ships ``patterns`` only.
"""
