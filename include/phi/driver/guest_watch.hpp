// How the container process of a partition learns that its guest has ended,
// without loading libphi or the driver: the driver describes, as data, where
// the guest's state can be read (a file such as a sysfs attribute, or one
// field of a status program's output) and what each state means. The
// container process (runphi-monitor, a small static program) reads it when
// woken and every poll interval.
#pragma once

#include <phi/driver/guest_status.hpp>
#include <phi/export.hpp>

#include <memory>
#include <string>
#include <vector>

namespace phi {
inline namespace v1 {

enum class WatchSource { None, StateFile, StatusProgram };

// One rule: when the state matches, the guest has ended with `outcome`.
// Matching is exact (`equals`) or "holds any of these letters" (`anyOf`,
// for flag columns such as xl's "-b--c-"); a rule with `onlyIfExists` set
// applies only while that file exists.                               since 0.2
class PHI_API WatchRule {
 public:
  ~WatchRule();
  WatchRule(const WatchRule&);
  WatchRule& operator=(const WatchRule&);
  WatchRule(WatchRule&&) noexcept;
  WatchRule& operator=(WatchRule&&) noexcept;

  static WatchRule equals(std::string state, GuestExit outcome);
  static WatchRule anyOf(std::string letters, GuestExit outcome);
  WatchRule& onlyIfExists(std::string path);

  bool matchesExactly() const noexcept;  // equals, else anyOf
  const std::string& text() const noexcept;
  GuestExit outcome() const noexcept;
  const std::string& conditionPath() const noexcept;  // empty: always

 private:
  WatchRule();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class PHI_API GuestWatch {
 public:
  GuestWatch();  // no watch: the container process asks the runphi CLI (slow)   since 0.2
  ~GuestWatch();
  GuestWatch(const GuestWatch&);
  GuestWatch& operator=(const GuestWatch&);
  GuestWatch(GuestWatch&&) noexcept;
  GuestWatch& operator=(GuestWatch&&) noexcept;

  // The state is the content of `path`, surrounding blanks trimmed; a
  // missing file means the partition is gone.                          since 0.2
  static GuestWatch stateFile(std::string path);
  // The state is field `column` (1-based, blank-separated) of the output
  // line whose first field is `rowKey`; the program exiting non-zero with
  // one of `missingMarkers` in its stderr means the partition is gone.  since 0.2
  static GuestWatch statusProgram(std::vector<std::string> argv, std::string rowKey, unsigned column,
                                  std::vector<std::string> missingMarkers);

  // The state counts only while `path` reads `content` (e.g. a sysfs cell
  // directory that another cell may reuse); otherwise the partition is gone.  since 0.2
  GuestWatch& requireContent(std::string path, std::string content);
  GuestWatch& addRule(WatchRule rule);      // the first matching rule wins; none: still alive  since 0.2
  GuestWatch& whenGone(GuestExit outcome);  // default GuestExit::Destroyed                    since 0.2
  // How often to look when nothing wakes the container process; it starts
  // at `minMs` and doubles up to `maxMs`.                              since 0.2
  GuestWatch& setPollInterval(unsigned minMs, unsigned maxMs);

  WatchSource source() const noexcept;
  const std::string& path() const noexcept;               // StateFile
  const std::vector<std::string>& argv() const noexcept;  // StatusProgram
  const std::string& rowKey() const noexcept;
  unsigned column() const noexcept;
  const std::vector<std::string>& missingMarkers() const noexcept;
  const std::string& requiredPath() const noexcept;
  const std::string& requiredContent() const noexcept;
  const std::vector<WatchRule>& rules() const noexcept;
  GuestExit goneOutcome() const noexcept;
  unsigned minPollMs() const noexcept;
  unsigned maxPollMs() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace phi
