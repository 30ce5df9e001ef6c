#include "bench/negotiate_loadgen_options.hpp"

#include <cstdio>
#include <cstdlib>

namespace kerbpool::bench {

void usage(const char* argv0) {
  std::fprintf(
      stderr,
      "usage: %s --port N [--host ADDR] [--path P] [--host-header H] [--service HTTP@HOST] "
      "[--threads N] [--duration S] [--rate R] [--mech spnego|krb5] [--ccache memory|file] [--no-mutual] "
      "[--no-verify]\n"
      "  Credentials come from the ccache named by KRB5CCNAME; it should hold the service ticket.\n",
      argv0);
}

bool parseArgs(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--no-mutual") {
      o.mutual = false;
      continue;
    }
    if (arg == "--no-verify") {
      o.verify = false;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "http_negotiate_loadgen: %s needs a value\n", arg.c_str());
      return false;
    }
    const std::string value = argv[++i];
    if (arg == "--host") {
      o.host = value;
    } else if (arg == "--port") {
      o.port = static_cast<int>(std::strtol(value.c_str(), nullptr, 10));
    } else if (arg == "--path") {
      o.path = value;
    } else if (arg == "--host-header") {
      o.hostHeader = value;
    } else if (arg == "--service") {
      o.service = value;
    } else if (arg == "--threads") {
      const long n = std::strtol(value.c_str(), nullptr, 10);
      if (n < 1 || n > 256) {
        std::fprintf(stderr, "http_negotiate_loadgen: --threads must be 1..256\n");
        return false;
      }
      o.threads = static_cast<unsigned>(n);
    } else if (arg == "--duration") {
      o.duration = std::strtod(value.c_str(), nullptr);
      if (!(o.duration > 0 && o.duration <= 3600)) {
        std::fprintf(stderr, "http_negotiate_loadgen: --duration must be in (0, 3600] seconds\n");
        return false;
      }
    } else if (arg == "--rate") {
      o.rate = std::strtod(value.c_str(), nullptr);
      if (!(o.rate >= 0 && o.rate <= 1e6)) {
        std::fprintf(stderr, "http_negotiate_loadgen: --rate must be in [0, 1000000] requests/s\n");
        return false;
      }
    } else if (arg == "--mech") {
      if (value == "spnego") {
        o.mech = Mech::Spnego;
      } else if (value == "krb5") {
        o.mech = Mech::Krb5;
      } else {
        std::fprintf(stderr, "http_negotiate_loadgen: --mech is spnego or krb5, not '%s'\n", value.c_str());
        return false;
      }
    } else if (arg == "--ccache") {
      if (value == "memory") {
        o.ccache = CcacheMode::Memory;
      } else if (value == "file") {
        o.ccache = CcacheMode::File;
      } else {
        std::fprintf(stderr, "http_negotiate_loadgen: --ccache is memory or file, not '%s'\n", value.c_str());
        return false;
      }
    } else {
      std::fprintf(stderr, "http_negotiate_loadgen: unknown option %s\n", arg.c_str());
      return false;
    }
  }
  if (o.port < 1 || o.port > 65535) {
    std::fprintf(stderr, "http_negotiate_loadgen: --port 1..65535 is required\n");
    return false;
  }
  if (o.path.empty() || o.path[0] != '/') {
    std::fprintf(stderr, "http_negotiate_loadgen: --path must start with /\n");
    return false;
  }
  return true;
}

}  // namespace kerbpool::bench
