/**
 * Runs in every Jest worker before its tests: the sample app, started by many suites at once (and by their
 * child processes, which inherit the environment), listens for RawSocket on a free port rather than its
 * default 8081, so parallel suites do not compete for one port.
 */
process.env.RAWSOCKET_PORT ??= '0';
