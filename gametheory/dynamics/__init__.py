"""Dynamics of games: the :class:`~gametheory.dynamics.base.Dynamics` interface and its implementations."""
