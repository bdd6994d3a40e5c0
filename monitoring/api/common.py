"""What the monitoring endpoints share."""

# The risk matrix, reviews and plans: read by quality staff and auditors, changed by quality
# staff (councils/permissions.py).
MONITORING_PERMISSIONS = {
    "read": "monitoring.view_monitoring",
    "write": "monitoring.change_monitoring",
}
