// A pool of numbered resources (CPUs, RPUs, PCI BDFs): lowest ids first.
#pragma once

#include <string>
#include <vector>

namespace phi {

class IdPool {
 public:
  IdPool(std::string what, std::vector<int> all);  // `what` names the resource in errors

  // Takes the `count` lowest free ids; "not enough <what>: asked N, free M".
  std::vector<int> take(unsigned count);
  // Gives `ids` back; an id that is not from this pool or already free is an
  // internal error (it would mean a record was corrupted).
  void give(const std::vector<int>& ids);
  // Marks `ids` as in use (rebuilding state); same checks as give.
  void claim(const std::vector<int>& ids);
  // Leaves out of take() those of `ids` that are free, without claiming
  // them for anyone; others (unknown, already in use) are ignored. A take()
  // that then falls short names them and `why`.
  void withhold(const std::vector<int>& ids, const std::string& why);

  const std::vector<int>& freeIds() const { return free_; }
  const std::string& what() const { return what_; }

 private:
  std::string what_;
  std::vector<int> all_;       // sorted
  std::vector<int> free_;      // sorted
  std::vector<int> withheld_;  // sorted, not in free_
  std::string withheldWhy_;
};

// "1,3" for {1, 3}: ids in messages.
std::string joinIds(const std::vector<int>& ids);

}  // namespace phi
