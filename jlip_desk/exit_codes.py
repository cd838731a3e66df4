"""Exit codes of ``jlip-desk``, shared by the entry point and the commands."""

EXIT_OK = 0
EXIT_REFUSED = 1  # the work was refused: bad input, a locked period, a wrong file
EXIT_USAGE = 2  # wrong usage of the command line
EXIT_INTERRUPTED = 130  # Ctrl+C, as a shell reports SIGINT
EXIT_BROKEN_PIPE = 141  # the reader went away (``| head``), as a shell reports SIGPIPE
