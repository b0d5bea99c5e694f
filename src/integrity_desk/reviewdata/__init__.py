"""The platform's review data: businesses, reviewer accounts, reviews and flags, imported in
bulk from files (``idesk import``) or pushed over the API as NDJSON, for the fraud signals."""
