#pragma once

namespace CLI {
class App;
}

namespace kerbpool::cli {

// Each register function adds one subcommand (and its callback) to the app.
void registerVersion(CLI::App& app);
void registerKeytab(CLI::App& app);  // keytab list FILE, keytab add ...
void registerBench(CLI::App& app);   // bench crypto
void registerBenchNetlogon(CLI::App& app);  // bench netlogon (after registerBench)
void registerKeytabExport(CLI::App& app);  // keytab export (after registerKeytab)
void registerKdc(CLI::App& app);     // kdc --realm-file FILE
void registerCert(CLI::App& app);    // cert --out DIR --dns NAME...
void registerFrontend(CLI::App& app);  // frontend --node fe01 --keytab FILE --port N
void registerLb(CLI::App& app);      // lb --mode http|tcp --listen ADDR:PORT --backend NAME=HOST:PORT...
void registerEchoBackend(CLI::App& app);  // echo-backend --name fe01 --listen ADDR:PORT
void registerRun(CLI::App& app);        // run [NAME|FILE], compare A B ...
void registerServe(CLI::App& app);      // serve NAME|FILE: the pool up for outside clients
void registerScenarios(CLI::App& app);  // list, show NAME
void registerSetspn(CLI::App& app);     // setspn -L/-Q/-X --scenario NAME, test-assignment --scenario NAME

// The exit code chosen by the subcommand that ran (0 unless it failed).
int exitCode();
void setExitCode(int code);

}  // namespace kerbpool::cli
