#include <phi/error.hpp>
#include <phi/partition.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

namespace phi {
inline namespace v1 {

// Linux's largest CPU count (NR_CPUS); anything above is not a CPU number.
constexpr int kMaxCpu = 8191;

// The longest CPU list read (a cpuset, a sysfs list): every CPU up to
// kMaxCpu listed one by one fits in 40 KiB; more is not a CPU list.
constexpr std::size_t kMaxCpuListChars = 40960;

std::vector<int> parseCpuList(const std::string& text, const std::string& what) {
  auto bad = [&](const std::string& why) -> Error {
    std::string shown = text.size() > 64 ? text.substr(0, 64) + "..." : text;
    return Error(ErrorCode::InvalidArgument, what + ": \"" + shown + "\" is not a CPU list (" + why + ")");
  };
  if (text.size() > kMaxCpuListChars) {
    throw bad(std::to_string(text.size()) + " characters, at most " + std::to_string(kMaxCpuListChars));
  }
  // One flag per CPU: overlapping ranges cost nothing more.
  std::vector<bool> cpus(kMaxCpu + 1, false);
  auto number = [&](std::string_view s) {
    int v = -1;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < 0) throw bad("\"" + std::string(s) + "\"");
    if (v > kMaxCpu) throw bad("CPU " + std::string(s) + " is above " + std::to_string(kMaxCpu));
    return v;
  };
  // sysfs files end in a newline; blanks around the list are not part of it.
  std::string_view rest = text;
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()))) rest.remove_prefix(1);
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.back()))) rest.remove_suffix(1);
  if (rest.empty()) throw bad("empty");
  for (;;) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    if (item.empty()) throw bad("empty item");
    size_t dash = item.find('-');
    int lo = number(item.substr(0, dash));
    int hi = dash == std::string_view::npos ? lo : number(item.substr(dash + 1));
    if (hi < lo) throw bad("descending range");
    for (int c = lo; c <= hi; ++c) cpus[static_cast<std::size_t>(c)] = true;
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  std::vector<int> out;
  for (int c = 0; c <= kMaxCpu; ++c) {
    if (cpus[static_cast<std::size_t>(c)]) out.push_back(c);
  }
  return out;
}

PartitionRequest derivePartitionRequest(const OciSpec& spec, const ZicConfig& zic, const PlatformTemplate& platform) {
  PartitionRequest r;
  unsigned count = 1;
  if (spec.cpuQuota() && *spec.cpuQuota() > 0) {
    std::uint64_t period = spec.cpuPeriod().value_or(100000);
    if (period == 0) throw Error(ErrorCode::InvalidArgument, "linux.resources.cpu.period: must be > 0");
    // Rounded up without quota + period - 1, which wraps for a huge period.
    const std::uint64_t quota = static_cast<std::uint64_t>(*spec.cpuQuota());
    std::uint64_t wanted = quota / period + (quota % period != 0 ? 1 : 0);
    if (wanted > static_cast<std::uint64_t>(kMaxCpu) + 1) {
      throw Error(ErrorCode::InvalidArgument, "linux.resources.cpu.quota / period asks for " + std::to_string(wanted) +
                                                  " CPUs, more than any machine has");
    }
    count = static_cast<unsigned>(wanted);
  } else if (!spec.cpusetCpus().empty()) {
    count = static_cast<unsigned>(parseCpuList(spec.cpusetCpus(), "linux.resources.cpu.cpus").size());
  }
  if (zic.rpuReq()) {
    r.setCpus(0);
    r.setRpus(count);
  } else {
    r.setCpus(count);
  }

  const std::uint64_t page = platform.pageSize() ? platform.pageSize() : 4096;
  std::uint64_t memoryBytes = 0;
  if (zic.memoryMiB()) {
    memoryBytes = zic.memoryMiB() * 1024 * 1024;
  } else if (spec.memoryLimit()) {
    std::int64_t limit = *spec.memoryLimit();
    if (limit <= 0 || static_cast<std::uint64_t>(limit) % page != 0) {
      throw Error(ErrorCode::InvalidArgument, "linux.resources.memory.limit: " + std::to_string(limit) +
                                                  " bytes is not a positive multiple of the page size (" +
                                                  std::to_string(page) + ")");
    }
    memoryBytes = static_cast<std::uint64_t>(limit);
  } else {
    memoryBytes = platform.defaultMemoryBytes();
  }
  if (memoryBytes == 0 || memoryBytes % page != 0) {
    throw Error(ErrorCode::InvalidArgument, "partition memory " + std::to_string(memoryBytes) +
                                                " bytes is not a positive multiple of the page size");
  }
  r.setMemoryBytes(memoryBytes);
  r.setNetwork(zic.net() == NetMode::Virtual);
  return r;
}

}  // namespace v1
}  // namespace phi
