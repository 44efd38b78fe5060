"""Survey campaigns: their settings and states, the units taking part, instrument versions,
progress against the sample targets.
"""
