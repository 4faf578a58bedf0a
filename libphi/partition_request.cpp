#include <phi/error.hpp>
#include <phi/partition.hpp>

#include <algorithm>
#include <charconv>
#include <set>

namespace phi {

std::vector<int> parseCpuList(const std::string& text, const std::string& what) {
  std::set<int> cpus;
  auto bad = [&](const std::string& why) -> Error {
    return Error(ErrorCode::InvalidArgument, what + ": \"" + text + "\" is not a CPU list (" + why + ")");
  };
  auto number = [&](std::string_view s) {
    int v = -1;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < 0) throw bad("\"" + std::string(s) + "\"");
    return v;
  };
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    while (!item.empty() && (item.back() == '\n' || item.back() == ' ')) item.remove_suffix(1);
    if (item.empty()) throw bad("empty item");
    size_t dash = item.find('-');
    int lo = number(item.substr(0, dash));
    int hi = dash == std::string_view::npos ? lo : number(item.substr(dash + 1));
    if (hi < lo) throw bad("descending range");
    for (int c = lo; c <= hi; ++c) cpus.insert(c);
  }
  return {cpus.begin(), cpus.end()};
}

PartitionRequest derivePartitionRequest(const OciSpec& spec, const ZicConfig& zic, const PlatformTemplate& platform) {
  PartitionRequest r;
  unsigned count = 1;
  if (spec.cpuQuota && *spec.cpuQuota > 0) {
    std::uint64_t period = spec.cpuPeriod.value_or(100000);
    if (period == 0) throw Error(ErrorCode::InvalidArgument, "linux.resources.cpu.period: must be > 0");
    count = static_cast<unsigned>((static_cast<std::uint64_t>(*spec.cpuQuota) + period - 1) / period);
  } else if (!spec.cpusetCpus.empty()) {
    count = static_cast<unsigned>(parseCpuList(spec.cpusetCpus, "linux.resources.cpu.cpus").size());
  }
  if (zic.rpuReq) {
    r.cpus = 0;
    r.rpus = count;
  } else {
    r.cpus = count;
  }

  const std::uint64_t page = platform.pageSize ? platform.pageSize : 4096;
  if (zic.memoryMiB) {
    r.memoryBytes = zic.memoryMiB * 1024 * 1024;
  } else if (spec.memoryLimit) {
    std::int64_t limit = *spec.memoryLimit;
    if (limit <= 0 || static_cast<std::uint64_t>(limit) % page != 0) {
      throw Error(ErrorCode::InvalidArgument, "linux.resources.memory.limit: " + std::to_string(limit) +
                                                  " bytes is not a positive multiple of the page size (" +
                                                  std::to_string(page) + ")");
    }
    r.memoryBytes = static_cast<std::uint64_t>(limit);
  } else {
    r.memoryBytes = platform.defaultMemoryBytes;
  }
  if (r.memoryBytes == 0 || r.memoryBytes % page != 0) {
    throw Error(ErrorCode::InvalidArgument, "partition memory " + std::to_string(r.memoryBytes) +
                                                " bytes is not a positive multiple of the page size");
  }
  r.network = zic.net == NetMode::Virtual;
  return r;
}

}  // namespace phi
