"""asyncio + openai + keyring + SQLite. No Qt: the GUI and the command line both sit on top of this."""
