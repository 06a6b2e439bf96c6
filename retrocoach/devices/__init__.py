"""Treadmill and heart-rate strap: the ports, the simulators and (later) the BLE clients."""
