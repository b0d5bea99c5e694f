"""The harm shield: what a page hides, the reveal, the person's own setting
(integrity_desk.wellbeing)."""
