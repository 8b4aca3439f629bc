"""Dashboards: the figures trainers and coordinators need, computed in SQL."""
