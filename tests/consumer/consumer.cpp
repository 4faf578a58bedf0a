// A program outside the project that uses only the installed libphi: it must
// compile with the installed headers and link against the installed library.
#include <phi/phi.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

int main() {
  // The header the program was compiled with and the library it loaded agree.
  if (std::strcmp(phi::libraryVersion(), PHI_VERSION_STRING) != 0) {
    std::fprintf(stderr, "version mismatch: header %s, library %s\n", PHI_VERSION_STRING, phi::libraryVersion());
    return 1;
  }

  // An ordinary bundle goes to runc.
  char dir[] = "/tmp/phi-consumer-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  std::string bundle = dir;
  std::ofstream(bundle + "/config.json") << R"({"ociVersion":"1.0.2","root":{"path":"rootfs"}})";
  phi::RouteDecision route = phi::decideCreate(bundle);
  if (route.route != phi::Route::Runc) {
    std::fprintf(stderr, "expected runc route, got runphi (%s)\n", route.reason.c_str());
    return 1;
  }

  // Errors cross the library boundary as phi::Error with their code.
  try {
    phi::decideCreate(bundle + "/missing");
    std::fprintf(stderr, "expected an error for a missing bundle\n");
    return 1;
  } catch (const phi::Error& e) {
    if (e.code() != phi::ErrorCode::NotFound) {
      std::fprintf(stderr, "wrong code %s: %s\n", phi::errorCodeName(e.code()), e.what());
      return 1;
    }
  }

  phi::RuntimeConfig config;
  config.logPath.clear();
  phi::Logger logger(phi::LogSettings{});
  phi::Runtime runtime(config, logger);
  std::string version = runtime.versionReport();
  if (version.rfind("runc version ", 0) != 0) {
    std::fprintf(stderr, "unexpected version report: %s\n", version.c_str());
    return 1;
  }
  std::remove((bundle + "/config.json").c_str());
  std::remove(dir);
  std::printf("consumer ok: libphi %s\n", phi::libraryVersion());
  return 0;
}
