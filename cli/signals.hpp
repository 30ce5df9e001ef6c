#pragma once

namespace kerbpool::cli {

// Blocks SIGINT and SIGTERM in this thread (call before starting server threads so they inherit the mask),
// and later waits for one of them. Returns the signal number.
void blockTerminationSignals();
int waitForTerminationSignal();

}  // namespace kerbpool::cli
