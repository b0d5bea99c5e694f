"""The trusted-flagger registry, DSA Art. 22 (integrity_desk.dsa)."""
