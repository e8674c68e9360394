"""The Jira connector (Cloud and Data Center): config, HTTP, pure mapping and the adapter."""
