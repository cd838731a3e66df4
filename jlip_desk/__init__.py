"""JLIP Desk: offline reporting for Jilin Province's IP protection and use plan."""

__version__ = "0.1.0"
