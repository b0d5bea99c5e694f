"""Downloads of a case's mail: attachments and the raw message (integrity_desk.mail)."""
