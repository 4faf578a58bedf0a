#include "atomic_file.hpp"

#include "system_error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace phi {

namespace {

void writeAll(int fd, const std::string& content, const std::string& path) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw errnoError("cannot write " + path);
    }
    done += static_cast<size_t>(n);
  }
}

}  // namespace

void writeFileAtomically(const std::string& path, const std::string& content, unsigned mode) {
  std::filesystem::path target(path);
  std::string tmpl = (target.parent_path() / ("." + target.filename().string() + ".XXXXXX")).string();
  int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) throw errnoError("cannot create a temporary file for " + path);
  try {
    if (::fchmod(fd, mode) != 0) throw errnoError("cannot chmod " + tmpl);
    writeAll(fd, content, tmpl);
    if (::fsync(fd) != 0) throw errnoError("cannot fsync " + tmpl);
    if (::close(fd) != 0) {
      fd = -1;
      throw errnoError("cannot close " + tmpl);
    }
    fd = -1;
    if (::rename(tmpl.c_str(), path.c_str()) != 0) throw errnoError("cannot rename " + tmpl + " to " + path);
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmpl.c_str());
    throw;
  }
  int dir = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace phi
