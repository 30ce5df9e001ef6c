// Keytab files: read whole, write atomically with mode 0600 from creation.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include "core/keytab/keytab.hpp"

namespace kerbpool::core::keytab {
namespace {

// A keytab of a few thousand keys is well under a megabyte; refuse anything absurd before reading it.
constexpr std::size_t kMaxKeytabBytes = 64 * 1024 * 1024;

Error ioError(const std::string& what, const std::filesystem::path& path, int err) {
  return makeError(err == ENOENT ? ErrorCategory::NotFound : ErrorCategory::Io,
                   err == ENOENT ? "no_such_file" : "io_failed",
                   what + " " + path.string() + ": " + std::strerror(err));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

Status writeAll(int fd, BytesView data, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return ioError("cannot write", path, errno);
    }
    done += static_cast<std::size_t>(n);
  }
  return okStatus();
}

}  // namespace

Result<Keytab> Keytab::readFile(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return ioError("cannot open keytab", path, errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return ioError("cannot stat keytab", path, errno);
  }
  if (!S_ISREG(st.st_mode)) {
    return makeError(ErrorCategory::Io, "not_a_file", path.string() + " is not a regular file");
  }
  Bytes image;
  std::uint8_t buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return ioError("cannot read keytab", path, errno);
    }
    if (n == 0) {
      break;
    }
    if (image.size() + static_cast<std::size_t>(n) > kMaxKeytabBytes) {
      return makeError(ErrorCategory::Decoding, "too_large",
                       path.string() + ": larger than " + std::to_string(kMaxKeytabBytes) + " bytes");
    }
    image.insert(image.end(), buf, buf + n);
  }
  auto parsed = parse(image);
  secureWipe(image);
  if (!parsed.ok()) {
    Error e = std::move(parsed).error();
    e.within(path.string());
    return e;
  }
  return parsed;
}

Status Keytab::writeFile(const std::filesystem::path& path) const {
  KP_CHECK(validate());
  Bytes image = serialize();
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  std::string tmpl = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  // mkstemp opens with O_CREAT|O_EXCL and mode 0600, so the keys are never readable by others.
  Fd fd(::mkstemp(tmpl.data()));
  if (fd.get() < 0) {
    secureWipe(image);
    return ioError("cannot create a temporary file next to", path, errno);
  }
  const std::filesystem::path tmp = tmpl;
  auto fail = [&](Error e) -> Status {
    ::unlink(tmp.c_str());
    secureWipe(image);
    return e;
  };
  if (::fchmod(fd.get(), S_IRUSR | S_IWUSR) != 0) {
    return fail(ioError("cannot set mode 0600 on", tmp, errno));
  }
  if (auto st = writeAll(fd.get(), image, tmp); !st.ok()) {
    return fail(std::move(st).error());
  }
  if (::fsync(fd.get()) != 0) {
    return fail(ioError("cannot fsync", tmp, errno));
  }
  if (::close(fd.release()) != 0) {
    return fail(ioError("cannot close", tmp, errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail(ioError("cannot rename the temporary file to", path, errno));
  }
  secureWipe(image);
  // Make the rename durable too; a failure here does not undo a complete, renamed file.
  Fd dirFd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dirFd.get() >= 0) {
    ::fsync(dirFd.get());
  }
  return okStatus();
}

}  // namespace kerbpool::core::keytab
