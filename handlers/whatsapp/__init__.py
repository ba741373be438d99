"""The WhatsApp channel (Meta's Cloud API): the webhook, the worker that answers what it
stored, and the screens rendered within WhatsApp's limits."""
