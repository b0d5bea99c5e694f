"""The case view's precedents panel."""
