// TlsStream's OpenSSL side: the SSL object, a BIO that reads the socket directly (never blocking) and
// collects what OpenSSL writes, and the mapping of OpenSSL's answers to what the operations complete with.
#include "net/tls_stream.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <mutex>
#include <new>

namespace kerbpool::net {

struct TlsChannel {
  SSL* ssl = nullptr;
  boost::asio::ip::tcp::socket* socket = nullptr;  // read through its descriptor, never closed here
  int pushedOctet = -1;                            // from the wake-up read, handed to OpenSSL first
  int readErrno = 0;                               // a failed recv's errno (0: none)
  std::vector<unsigned char> output;               // what OpenSSL wrote, until it is sent
};

namespace {

int bioWrite(BIO* bio, const char* data, int length) {
  auto* ch = static_cast<TlsChannel*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (length <= 0) {
    return 0;
  }
  ch->output.insert(ch->output.end(), data, data + length);  // sent by the operation once OpenSSL returns
  return length;
}

int bioRead(BIO* bio, char* data, int length) {
  auto* ch = static_cast<TlsChannel*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (length <= 0) {
    return 0;
  }
  int got = 0;
  if (ch->pushedOctet >= 0) {
    data[0] = static_cast<char>(ch->pushedOctet);
    ch->pushedOctet = -1;
    got = 1;
    if (length == 1) {
      return 1;
    }
  }
  const int fd = ch->socket->is_open() ? ch->socket->native_handle() : -1;
  if (fd < 0) {
    if (got > 0) {
      return got;
    }
    ch->readErrno = EBADF;
    return -1;
  }
  ssize_t n;
  do {
    n = ::recv(fd, data + got, static_cast<std::size_t>(length - got), MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    return got + static_cast<int>(n);
  }
  if (got > 0) {
    return got;  // what came before; the next call sees the end or the error again
  }
  if (n == 0) {
    return 0;  // the peer's FIN
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    BIO_set_retry_read(bio);
    return -1;
  }
  ch->readErrno = errno;
  return -1;
}

long bioCtrl(BIO*, int command, long, void*) {
  return command == BIO_CTRL_FLUSH ? 1 : 0;  // flushing is the operation's (it sends the output)
}

int bioCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

const BIO_METHOD* bioMethod() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "kerbpool socket");
    if (m == nullptr) {
      throw std::bad_alloc();
    }
    BIO_meth_set_write(m, bioWrite);
    BIO_meth_set_read(m, bioRead);
    BIO_meth_set_ctrl(m, bioCtrl);
    BIO_meth_set_create(m, bioCreate);
    return m;
  }();
  return method;
}

}  // namespace

TlsStream::TlsStream(boost::asio::ip::tcp::socket&& socket, boost::asio::ssl::context& context)
    : next_(std::move(socket)), channel_(std::make_unique<TlsChannel>()) {
  channel_->socket = &next_.socket();
  channel_->ssl = SSL_new(context.native_handle());
  BIO* bio = BIO_new(bioMethod());
  if (channel_->ssl == nullptr || bio == nullptr) {
    BIO_free(bio);
    SSL_free(channel_->ssl);
    throw std::bad_alloc();
  }
  BIO_set_data(bio, channel_.get());
  SSL_set_bio(channel_->ssl, bio, bio);  // the SSL object owns it
  SSL_set_mode(channel_->ssl, SSL_MODE_RELEASE_BUFFERS);
  SSL_set_read_ahead(channel_->ssl, 1);  // a record's header and body in one recv
  SSL_set_accept_state(channel_->ssl);
}

TlsStream::~TlsStream() {
  SSL_free(channel_->ssl);
}

namespace {

// What an operation completes with when OpenSSL's call `result` did not succeed.
TlsStream::Step failure(TlsChannel& ch, int result) {
  const int kind = SSL_get_error(ch.ssl, result);
  TlsStream::Step step;
  switch (kind) {
    case SSL_ERROR_WANT_READ:
      step.needsInput = true;
      return step;
    case SSL_ERROR_ZERO_RETURN:
      step.ec = boost::asio::error::eof;  // the peer's close_notify
      return step;
    case SSL_ERROR_SYSCALL:
      if (ch.readErrno != 0) {
        step.ec = boost::system::error_code(ch.readErrno, boost::system::system_category());
        ch.readErrno = 0;
      } else {
        step.ec = boost::asio::ssl::error::stream_truncated;  // the peer's FIN without close_notify
      }
      ERR_clear_error();
      return step;
    default: {
      const unsigned long err = ERR_get_error();
      ERR_clear_error();
      if (ERR_GET_REASON(err) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        step.ec = boost::asio::ssl::error::stream_truncated;
      } else if (err != 0) {
        step.ec = boost::system::error_code(static_cast<int>(err), boost::asio::error::get_ssl_category());
      } else {
        step.ec = boost::asio::error::fault;
      }
      return step;
    }
  }
}

}  // namespace

TlsStream::Step TlsStream::handshakeStep() {
  ERR_clear_error();
  const int r = SSL_do_handshake(channel_->ssl);
  return r == 1 ? Step{} : failure(*channel_, r);
}

bool TlsStream::hasPendingInput() const {
  return channel_->pushedOctet >= 0 || SSL_has_pending(channel_->ssl) != 0;
}

TlsStream::Step TlsStream::readStep(boost::asio::mutable_buffer target) {
  if (target.size() == 0) {
    return Step{};
  }
  ERR_clear_error();
  std::size_t n = 0;
  const int r = SSL_read_ex(channel_->ssl, target.data(), target.size(), &n);
  if (r == 1) {
    return Step{false, n, {}};
  }
  return failure(*channel_, r);
}

TlsStream::Step TlsStream::writeStep(boost::asio::const_buffer source) {
  if (source.size() == 0) {
    return Step{};
  }
  ERR_clear_error();
  std::size_t n = 0;
  const int r = SSL_write_ex(channel_->ssl, source.data(), source.size(), &n);
  if (r == 1) {
    return Step{false, n, {}};
  }
  Step step = failure(*channel_, r);
  if (step.needsInput && !step.ec) {
    // A write cannot wait for the peer here (no renegotiation is offered): refuse rather than stall.
    step = Step{false, 0, boost::asio::error::operation_not_supported};
  }
  return step;
}

TlsStream::Step TlsStream::shutdownStep() {
  ERR_clear_error();
  const int r = SSL_shutdown(channel_->ssl);  // queues close_notify; 0 means "sent, the peer's not yet seen"
  if (r >= 0) {
    return Step{};
  }
  Step step = failure(*channel_, r);
  step.needsInput = false;
  return step;
}

bool TlsStream::hasOutput() const {
  return !channel_->output.empty();
}

boost::asio::const_buffer TlsStream::output() const {
  return boost::asio::buffer(channel_->output);
}

void TlsStream::outputSent() {
  std::vector<unsigned char>().swap(channel_->output);
}

void TlsStream::wokenWith(std::size_t n) {
  if (n == 1) {
    channel_->pushedOctet = wakeOctet_;
  }
}

}  // namespace kerbpool::net
