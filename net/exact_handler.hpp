#pragma once

// A completion handler whose operation is allocated at its own size. By default Asio takes an operation's
// memory from a one-block cache per thread, and that block is as large as the largest operation that last
// used it (a send with its buffers and composed handlers): an operation that stays pending for minutes, such
// as the wait of an idle kept-alive connection, would hold several hundred octets it does not need, per
// connection. Wrapping its handler in exactHandler() makes Asio use ExactAllocator, i.e. operator new for the
// operation's own size. For long waits only: a short operation is cheaper from the cache.
#include <boost/asio/associated_allocator.hpp>
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace kerbpool::net {

template <class T>
struct ExactAllocator {
  using value_type = T;
  ExactAllocator() noexcept = default;
  template <class U>
  ExactAllocator(const ExactAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor): rebinding
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p); }
  template <class U>
  bool operator==(const ExactAllocator<U>&) const noexcept {
    return true;
  }
};

template <class Handler>
class ExactHandler {
 public:
  using allocator_type = ExactAllocator<void>;

  explicit ExactHandler(Handler h) : h_(std::move(h)) {}
  allocator_type get_allocator() const noexcept { return {}; }

  template <class... Args>
  void operator()(Args&&... args) {
    h_(std::forward<Args>(args)...);
  }

 private:
  Handler h_;
};

template <class Handler>
ExactHandler<std::decay_t<Handler>> exactHandler(Handler&& h) {
  return ExactHandler<std::decay_t<Handler>>(std::forward<Handler>(h));
}

}  // namespace kerbpool::net
