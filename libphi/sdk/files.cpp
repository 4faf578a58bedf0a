#include <phi/driver/files.hpp>
#include <phi/error.hpp>

#include "sdk/read_file.hpp"
#include "toolkit/fd.hpp"
#include "toolkit/system_error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace phi {
inline namespace v1 {

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

}  // namespace v1
}  // namespace phi

namespace phi {

std::string readRegularFile(int rawFd, const std::string& origin, std::size_t maxBytes) {
  Fd fd(rawFd);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw errnoError("cannot stat " + origin);
  if (!S_ISREG(st.st_mode)) throw Error(ErrorCode::InvalidArgument, origin + ": not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > maxBytes) {
    throw Error(ErrorCode::InvalidArgument, origin + ": " + std::to_string(st.st_size) +
                                                " bytes is too large (at most " + std::to_string(maxBytes) + ")");
  }
  std::string text;
  text.reserve(static_cast<std::size_t>(st.st_size));
  char buffer[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw errnoError("cannot read " + origin);
    }
    if (n == 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > maxBytes) {
      throw Error(ErrorCode::InvalidArgument, origin + ": too large (at most " + std::to_string(maxBytes) + " bytes)");
    }
  }
}

}  // namespace phi

namespace phi {
inline namespace v1 {

std::string readFile(const std::string& path, std::size_t maxBytes) {
  // O_NONBLOCK: a FIFO planted where a file should be cannot hang us before
  // the regular-file check.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) throw errnoError("cannot read " + path);
  return readRegularFile(fd, path, maxBytes);
}

void writeFileAtomically(const std::string& path, const std::string& content, unsigned mode) {
  std::filesystem::path target(path);
  std::string tmpl = (target.parent_path() / ("." + target.filename().string() + ".XXXXXX")).string();
  Fd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
  if (!fd.valid()) throw errnoError("cannot create a temporary file for " + path);
  try {
    if (::fchmod(fd.get(), mode) != 0) throw errnoError("cannot chmod " + tmpl);
    writeAll(fd.get(), content, tmpl);
    if (::fsync(fd.get()) != 0) throw errnoError("cannot fsync " + tmpl);
    if (::close(fd.release()) != 0) throw errnoError("cannot close " + tmpl);
    if (::rename(tmpl.c_str(), path.c_str()) != 0) throw errnoError("cannot rename " + tmpl + " to " + path);
  } catch (...) {
    fd.reset();
    ::unlink(tmpl.c_str());
    throw;
  }
  Fd dir(::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.valid()) ::fsync(dir.get());
}

}  // namespace v1
}  // namespace phi
