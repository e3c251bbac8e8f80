"""Reports: statistics, winners and Excel exports."""
