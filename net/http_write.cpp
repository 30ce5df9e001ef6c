// The asynchronous writes of net/http_write.hpp, compiled once for the streams and messages kerbpool writes
// (an I/O file).
#include "net/http_write.hpp"

#include <boost/beast/ssl/ssl_stream.hpp>

#include "net/tls_stream.hpp"

namespace kerbpool::net::detail {

namespace http = boost::beast::http;

template <class Stream, class Serializer>
void asyncWrite(Stream& stream, Serializer& sr, ErasedWriteHandler handler) {
  http::async_write(stream, sr, std::move(handler));
}

// The front-end's and the balancer's responses, plain and over TLS.
template void asyncWrite(boost::beast::tcp_stream&, http::response_serializer<http::string_body>&,
                         ErasedWriteHandler);
template void asyncWrite(TlsStream&, http::response_serializer<http::string_body>&, ErasedWriteHandler);
// The balancer's requests to its nodes, plain and over TLS.
template void asyncWrite(boost::beast::tcp_stream&, http::request_serializer<http::string_body>&,
                         ErasedWriteHandler);
template void asyncWrite(boost::beast::ssl_stream<boost::beast::tcp_stream>&,
                         http::request_serializer<http::string_body>&, ErasedWriteHandler);

}  // namespace kerbpool::net::detail
