"""Forms: the public DSA notice and appeal forms, and the console's internal request forms."""
