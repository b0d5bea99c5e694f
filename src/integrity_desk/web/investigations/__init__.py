"""The investigation workspace: members, graph, timeline and copied texts of a case."""
