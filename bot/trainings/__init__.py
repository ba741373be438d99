"""Trainings: sessions and their calendar, enrollment and waitlists, drafts, attendance and votes."""
