"""Services shared by the command line and the GUI: plain values in, plain results out."""
