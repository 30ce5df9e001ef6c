#pragma once

#include <string>
#include <string_view>

// Names the calling thread as `top -H`, `ps -L`, `perf report --sort comm` and gdb show it: "kp-lb",
// "kp-frontend", "kp-kdc-udp", "kp-client". Linux keeps 15 characters; a longer name is cut there.
namespace kerbpool::core {

void nameThisThread(std::string_view name);
// The calling thread's name ("" when the system cannot tell).
std::string thisThreadName();

}  // namespace kerbpool::core
