"""Widgets of the Branch designer and tester tab (see console/ui/branch_tab.py)."""
