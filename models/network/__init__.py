"""Network design: which DCs to open, how big, and who serves whom (supplier -> DC -> customer)."""
