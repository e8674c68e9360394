"""The Slack app: the ``/value`` command, check-ins, App Home, and the HTTP/Socket Mode servers."""
