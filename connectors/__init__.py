"""Partner-side code: the SDK and the bridges (CAP, EDXL, CSV, REST) that feed the hub."""
