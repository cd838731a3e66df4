"""Excel workbooks: templates out, submissions in."""
