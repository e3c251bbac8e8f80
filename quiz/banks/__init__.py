"""Question banks in Excel: one column spec shared by reader, writer and importer."""
