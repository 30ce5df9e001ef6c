#pragma once

#include <string>

// http_negotiate_loadgen's command line (described at the top of http_negotiate_loadgen.cpp).
namespace kerbpool::bench {

enum class Mech { Spnego, Krb5 };
enum class CcacheMode { Memory, File };

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path = "/bench";
  std::string hostHeader = "pool.contoso.test";
  std::string service = "HTTP@pool.contoso.test";
  unsigned threads = 4;
  double duration = 5.0;
  double rate = 0;  // requests/s offered over all threads (bench/paced_schedule.hpp); 0: as fast as possible
  Mech mech = Mech::Spnego;
  CcacheMode ccache = CcacheMode::Memory;
  bool mutual = true;
  bool verify = true;
};

void usage(const char* argv0);
// Fills `o` from the arguments; false, after a message on stderr, on bad usage.
bool parseArgs(int argc, char** argv, Options& o);

}  // namespace kerbpool::bench
