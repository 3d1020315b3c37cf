"""The fuzz corpus of bad inputs and faults (issue 10, section 5)."""
