"""What the Upload service calls out to: the Chat service (chat ownership) and a vision model (captions)."""
