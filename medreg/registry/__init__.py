"""registry: master data of the regulated world — enterprises, licences, drugs, devices, cosmetics."""
