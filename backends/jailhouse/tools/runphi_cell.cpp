// runphi-cell: Jailhouse cell configurations without a kernel tree or a
// compiler (docs/jailhouse.md).
//
//   runphi-cell compile CELL.json -o OUT.cell [--c OUT.c [--c-header H]] [--dialect D] [--strict]
//   runphi-cell decode FILE.cell [--dialect D] [-o OUT.json] [--strict]
//   runphi-cell dialects
//
// Exit status: 0 success, 1 bad input (the message names the file and the
// field), 2 usage error.
#include "cell_c_renderer.hpp"
#include "cell_json.hpp"
#include "cell_serializer.hpp"

#include <phi/driver/files.hpp>
#include <phi/error.hpp>
#include <phi/version.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace {

using phi::jailhouse::Dialect;

constexpr const char* kUsage =
    "usage: runphi-cell compile CELL.json -o OUT.cell [--c OUT.c [--c-header runphi|jailhouse]]\n"
    "                           [--dialect DIALECT] [--strict]\n"
    "       runphi-cell decode FILE.cell [--dialect DIALECT] [-o OUT.json] [--strict]\n"
    "       runphi-cell dialects\n"
    "       runphi-cell --help | --version\n"
    "\n"
    "compile  writes the .cell binary (and with --c its C source) of a JSON cell description\n"
    "decode   prints a .cell file as a JSON cell description; without --dialect the dialect\n"
    "         is found from the signature, revision and length\n"
    "dialects lists the dialect names\n"
    "\n"
    "Every cell the hypervisor accepts is accepted; what breaks only runphi's stricter\n"
    "rules (docs/jailhouse.md) is a warning on stderr, an error with --strict.\n"
    "--c-header: the C includes runphi's jailhouse_cell_format.h (runphi, the default) or\n"
    "the headers of the Jailhouse build the dialect names (jailhouse).\n"
    "\n"
    "DIALECT: upstream-v0.12 (A12), upstream-rev13 (A13), upstream-rev14 (A14),\n"
    "         runphi-rev13 (B), runphi-omnivisor (C), omnivisor-rev14 (OV).\n"
    "         See docs/jailhouse.md.\n";

constexpr size_t kMaxInput = 16u << 20;

struct Usage {
  std::string message;
};

std::string readInput(const std::string& path) {
  if (path != "-") return phi::readFile(path, kMaxInput);
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw phi::Error(phi::ErrorCode::IoError, std::string("cannot read stdin: ") + std::strerror(errno));
    if (n == 0) return data;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > kMaxInput) {
      throw phi::Error(phi::ErrorCode::InvalidArgument, "stdin: larger than " + std::to_string(kMaxInput) + " bytes");
    }
  }
}

// Atomically, through a temporary file in the same directory.
void writeOutput(const std::string& path, const std::string& data) {
  if (path == "-") {
    std::cout << data << std::flush;
    if (!std::cout) throw phi::Error(phi::ErrorCode::IoError, "cannot write to stdout");
    return;
  }
  phi::writeFileAtomically(path, data, 0644);
}

struct Options {
  std::string command;
  std::vector<std::string> positional;
  std::string out, cOut;
  std::optional<Dialect> dialect;
  bool strict = false;
  std::optional<phi::jailhouse::CHeader> cHeader;
};

phi::jailhouse::CHeader parseCHeader(const std::string& v) {
  if (v == "runphi") return phi::jailhouse::CHeader::Runphi;
  if (v == "jailhouse") return phi::jailhouse::CHeader::Jailhouse;
  throw Usage{"--c-header takes runphi or jailhouse, not \"" + v + "\""};
}

Options parse(int argc, char** argv) {
  Options o;
  if (argc < 2) throw Usage{"missing command"};
  o.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const std::string& flag) -> std::string {
      if (i + 1 >= argc) throw Usage{flag + " needs a value"};
      return argv[++i];
    };
    if (a == "-o" || a == "--output") {
      o.out = value(a);
    } else if (a.rfind("--output=", 0) == 0) {
      o.out = a.substr(9);
    } else if (a == "--c") {
      o.cOut = value(a);
    } else if (a.rfind("--c=", 0) == 0) {
      o.cOut = a.substr(4);
    } else if (a == "--dialect") {
      o.dialect = phi::jailhouse::parseDialect(value(a), "--dialect");
    } else if (a.rfind("--dialect=", 0) == 0) {
      o.dialect = phi::jailhouse::parseDialect(a.substr(10), "--dialect");
    } else if (a == "--strict") {
      o.strict = true;
    } else if (a == "--c-header") {
      o.cHeader = parseCHeader(value(a));
    } else if (a.rfind("--c-header=", 0) == 0) {
      o.cHeader = parseCHeader(a.substr(11));
    } else if (a.size() > 1 && a[0] == '-' && a != "-") {
      throw Usage{"unknown option " + a};
    } else {
      o.positional.push_back(a);
    }
  }
  return o;
}

int run(int argc, char** argv) {
  if (argc >= 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::cout << kUsage;
    return 0;
  }
  if (argc >= 2 && std::strcmp(argv[1], "--version") == 0) {
    std::cout << "runphi-cell " << PHI_VERSION_STRING << "\n";
    return 0;
  }
  Options o = parse(argc, argv);
  const phi::jailhouse::Rules rules = o.strict ? phi::jailhouse::Rules::Strict : phi::jailhouse::Rules::Hypervisor;
  std::vector<std::string> warnings;
  auto warn = [&] {
    for (const std::string& w : warnings) std::cerr << "runphi-cell: warning: " << w << "\n";
  };
  if (o.command == "compile") {
    if (o.positional.size() != 1) throw Usage{"compile takes one CELL.json"};
    if (o.out.empty()) throw Usage{"compile needs -o OUT.cell"};
    if (o.cHeader && o.cOut.empty()) throw Usage{"--c-header needs --c OUT.c"};
    const std::string& in = o.positional[0];
    phi::jailhouse::CellDescription cell = phi::jailhouse::cellFromJson(readInput(in), in, o.dialect, rules, &warnings);
    std::string bytes = phi::jailhouse::serializeCell(cell, in, rules);
    warn();
    if (!o.cOut.empty()) {
      writeOutput(o.cOut, phi::jailhouse::renderCellC(cell, o.cHeader.value_or(phi::jailhouse::CHeader::Runphi)));
    }
    writeOutput(o.out, bytes);
    return 0;
  }
  if (o.command == "decode") {
    if (o.positional.size() != 1) throw Usage{"decode takes one FILE.cell"};
    if (!o.cOut.empty() || o.cHeader) throw Usage{"--c and --c-header are options of compile"};
    const std::string& in = o.positional[0];
    std::string bytes = readInput(in);
    phi::jailhouse::CellDescription cell = o.dialect
                                               ? phi::jailhouse::decodeCell(bytes, *o.dialect, in, rules, &warnings)
                                               : phi::jailhouse::decodeCellGuessingDialect(bytes, in, rules, &warnings);
    warn();
    writeOutput(o.out.empty() ? "-" : o.out, phi::jailhouse::cellToJson(cell));
    return 0;
  }
  if (o.command == "dialects") {
    if (!o.positional.empty() || o.dialect || !o.out.empty() || !o.cOut.empty() || o.strict || o.cHeader)
      throw Usage{"dialects takes no arguments"};
    for (Dialect d : phi::jailhouse::allDialects()) {
      const auto& info = phi::jailhouse::dialectInfo(d);
      std::printf("%-17s %-3s %-6s revision %u, %u-byte header, %u-byte memory regions%s%s%s\n", info.name,
                  info.shortName, info.signature, info.revision, info.headerBytes, info.memoryRegionBytes,
                  info.architectureByte ? ", architecture byte" : "", info.rcpuSet ? ", rCPU set" : "",
                  info.qosDevices ? ", QoS devices" : "");
    }
    return 0;
  }
  throw Usage{"unknown command \"" + o.command + "\""};
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const Usage& u) {
    std::cerr << "runphi-cell: " << u.message << "\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "runphi-cell: " << e.what() << "\n";
    return 1;
  }
}
