// `events --stats` of a partitioned container: runc's stats event, with the
// figures of the partition rather than of a cgroup. A guest owns the CPUs
// and memory of its allocation outright, so memory usage and limit are the
// allocation's size and percpu has one entry per allocated CPU; CPU times
// are not known to runphi and read 0. runphi's own member "partition"
// names what the figures are about.
#include "cli.hpp"

#include <phi/error.hpp>
#include <phi/resources.hpp>

#include <json/value.h>

#include <cstdint>

#include "toolkit/json.hpp"

namespace runphi {

int eventsVerb(Cli& cli) {
  const std::string& id = cli.inv.containerId;
  if (cli.inv.flag("stats", "false") != "true") {
    throw phi::Error(phi::ErrorCode::NotSupported,
                     "`events` without --stats is not available for partitioned container \"" + id +
                         "\": it has no processes to watch");
  }
  phi::ContainerState state = cli.runtime.open(id).state();
  phi::Allocation allocation = cli.runtime.resources().allocationOf(id).value_or(phi::Allocation{});

  std::uint64_t memory = 0;
  for (const phi::MemoryRange& range : allocation.memory()) memory += range.size;
  Json::Value cpus(Json::arrayValue), percpu(Json::arrayValue);
  for (int cpu : allocation.cpus()) {
    cpus.append(cpu);
    percpu.append(0);
  }

  Json::Value data(Json::objectValue);
  data["cpu"]["usage"]["total"] = 0;
  data["cpu"]["usage"]["percpu"] = percpu;
  data["cpu"]["usage"]["kernel"] = 0;
  data["cpu"]["usage"]["user"] = 0;
  data["cpu"]["throttling"] = Json::Value(Json::objectValue);
  Json::Value& usage = data["memory"]["usage"];
  usage["usage"] = Json::UInt64(memory);
  usage["max"] = Json::UInt64(memory);
  usage["limit"] = Json::UInt64(memory);
  usage["failcnt"] = 0;
  data["pids"]["current"] = state.pid() > 0 ? 1 : 0;  // the container process
  Json::Value& partition = data["partition"];
  partition["name"] = state.partitionName();
  partition["backend"] = state.backend();
  partition["status"] = phi::statusName(state.status());
  partition["cpus"] = cpus;
  partition["memory_bytes"] = Json::UInt64(memory);

  Json::Value event(Json::objectValue);
  event["type"] = "stats";
  event["id"] = id;
  event["data"] = data;
  return print(cli, phi::toCompactJson(event) + "\n");
}

}  // namespace runphi
