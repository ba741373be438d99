"""Telegram: /trainings, /newtraining, /mysessions, check-in and votes."""
