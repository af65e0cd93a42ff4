"""Model signals: thin receivers that apply the pricing policy (see orders.pricing)."""
