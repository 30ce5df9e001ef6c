#include "netlogon/netlogon_wire.hpp"

#include <string>

#include "core/der/der_reader.hpp"
#include "core/der/der_writer.hpp"

namespace kerbpool::netlogon {

namespace {

namespace der = core::der;
using core::Bytes;
using core::BytesView;
using core::ErrorCategory;
using core::makeError;
using core::Result;

constexpr std::uint32_t kRequestTag = 1;
constexpr std::uint32_t kReplyTag = 2;
constexpr std::size_t kMaxStringBytes = 1024;
constexpr der::Tag kUtf8 = der::Tag::universalPrimitive(der::universal::kUtf8String);

void utf8(der::Writer& w, std::uint32_t n, const std::string& s) {
  w.context(n, [&](der::Writer& c) { c.wrap(kUtf8, core::toBytes(s)); });
}

void octets(der::Writer& w, std::uint32_t n, BytesView b) {
  w.context(n, [&](der::Writer& c) { c.octetString(b); });
}

void unsigned32(der::Writer& w, std::uint32_t n, std::uint32_t v) {
  w.context(n, [&](der::Writer& c) { c.integer(static_cast<std::int64_t>(v)); });
}

Result<std::string> readUtf8(der::Reader& r, std::uint32_t n, std::string_view field) {
  KP_TRY(der::Reader inner, r.enterContext(n, field));
  KP_TRY(der::Tlv tlv, inner.readExpected(kUtf8, field));
  KP_CHECK(inner.expectEnd());
  if (tlv.content.size() > kMaxStringBytes) {
    return makeError(ErrorCategory::Decoding, "field_too_long",
                     inner.fieldPath(field) + " has " + std::to_string(tlv.content.size()) + " octets");
  }
  return core::toString(tlv.content);
}

Result<Bytes> readOctets(der::Reader& r, std::uint32_t n, std::string_view field) {
  KP_TRY(der::Reader inner, r.enterContext(n, field));
  KP_TRY(Bytes b, inner.readOctetString(field));
  KP_CHECK(inner.expectEnd());
  return b;
}

Result<std::uint32_t> readU32(der::Reader& r, std::uint32_t n, std::string_view field) {
  KP_TRY(der::Reader inner, r.enterContext(n, field));
  KP_TRY(std::uint32_t v, inner.readUInt32(field));
  KP_CHECK(inner.expectEnd());
  return v;
}

core::Status readVersion(der::Reader& r) {
  KP_TRY(std::uint32_t version, readU32(r, 0, "version"));
  if (version != kNetlogonWireVersion) {
    return makeError(ErrorCategory::Decoding, "unsupported_version",
                     r.fieldPath("version") + " is " + std::to_string(version) + ", expected 1");
  }
  return core::okStatus();
}

}  // namespace

Bytes encodeNetlogonRequest(const NetlogonWireRequest& m) {
  der::Writer w;
  w.application(kRequestTag, [&](der::Writer& a) {
    a.sequence([&](der::Writer& s) {
      unsigned32(s, 0, static_cast<std::uint32_t>(kNetlogonWireVersion));
      unsigned32(s, 1, m.requestId);
      utf8(s, 2, m.request.channel);
      utf8(s, 3, m.request.user);
      utf8(s, 4, m.request.domain);
      utf8(s, 5, m.request.workstation);
      octets(s, 6, m.request.serverChallenge);
      octets(s, 7, m.request.ntChallengeResponse);
      octets(s, 8, m.request.lmChallengeResponse);
    });
  });
  return w.take();
}

Bytes encodeNetlogonReply(const NetlogonWireReply& m) {
  const PassThroughResponse& r = m.response;
  der::Writer w;
  w.application(kReplyTag, [&](der::Writer& a) {
    a.sequence([&](der::Writer& s) {
      unsigned32(s, 0, static_cast<std::uint32_t>(kNetlogonWireVersion));
      unsigned32(s, 1, m.requestId);
      unsigned32(s, 2, static_cast<std::uint32_t>(r.status));
      utf8(s, 3, r.detail);
      if (r.status == NtStatus::STATUS_SUCCESS) {
        octets(s, 4, r.sessionBaseKey);
        utf8(s, 5, r.accountName);
        utf8(s, 6, r.logonDomain);
        utf8(s, 7, r.userPrincipalName);
        s.context(8, [&](der::Writer& c) {
          c.sequence([&](der::Writer& q) {
            for (const auto& g : r.groups) {
              q.wrap(kUtf8, core::toBytes(g));
            }
          });
        });
      }
    });
  });
  return w.take();
}

Result<NetlogonWireRequest> decodeNetlogonRequest(BytesView bytes) {
  der::Reader top(bytes, "NetlogonRequest");
  KP_TRY(der::Reader app, top.enterApplication(kRequestTag, "NetlogonRequest"));
  KP_CHECK(top.expectEnd());
  KP_TRY(der::Reader s, app.enterSequence("NetlogonRequest"));
  KP_CHECK(app.expectEnd());
  NetlogonWireRequest m;
  KP_CHECK(readVersion(s));
  KP_TRY(m.requestId, readU32(s, 1, "request-id"));
  KP_TRY(m.request.channel, readUtf8(s, 2, "channel"));
  KP_TRY(m.request.user, readUtf8(s, 3, "user"));
  KP_TRY(m.request.domain, readUtf8(s, 4, "domain"));
  KP_TRY(m.request.workstation, readUtf8(s, 5, "workstation"));
  KP_TRY(m.request.serverChallenge, readOctets(s, 6, "server-challenge"));
  if (m.request.serverChallenge.size() != 8) {
    return makeError(ErrorCategory::Decoding, "bad_length",
                     s.fieldPath("server-challenge") + " has " +
                         std::to_string(m.request.serverChallenge.size()) + " octets, expected 8");
  }
  KP_TRY(m.request.ntChallengeResponse, readOctets(s, 7, "nt-response"));
  KP_TRY(m.request.lmChallengeResponse, readOctets(s, 8, "lm-response"));
  KP_CHECK(s.expectEnd());
  return m;
}

Result<NetlogonWireReply> decodeNetlogonReply(BytesView bytes) {
  der::Reader top(bytes, "NetlogonReply");
  KP_TRY(der::Reader app, top.enterApplication(kReplyTag, "NetlogonReply"));
  KP_CHECK(top.expectEnd());
  KP_TRY(der::Reader s, app.enterSequence("NetlogonReply"));
  KP_CHECK(app.expectEnd());
  NetlogonWireReply m;
  KP_CHECK(readVersion(s));
  KP_TRY(m.requestId, readU32(s, 1, "request-id"));
  KP_TRY(std::uint32_t status, readU32(s, 2, "status"));
  m.response.status = static_cast<NtStatus>(status);
  KP_TRY(m.response.detail, readUtf8(s, 3, "detail"));
  if (s.peekContext(4)) {
    KP_TRY(m.response.sessionBaseKey, readOctets(s, 4, "session-base-key"));
    KP_TRY(m.response.accountName, readUtf8(s, 5, "account"));
    KP_TRY(m.response.logonDomain, readUtf8(s, 6, "logon-domain"));
    KP_TRY(m.response.userPrincipalName, readUtf8(s, 7, "upn"));
    KP_TRY(der::Reader groupsCtx, s.enterContext(8, "groups"));
    KP_TRY(der::Reader groups, groupsCtx.enterSequence("groups"));
    KP_CHECK(groupsCtx.expectEnd());
    while (!groups.atEnd()) {
      KP_TRY(der::Tlv g, groups.readExpected(kUtf8, "groups"));
      m.response.groups.push_back(core::toString(g.content));
    }
  }
  KP_CHECK(s.expectEnd());
  if ((m.response.status == NtStatus::STATUS_SUCCESS) != !m.response.sessionBaseKey.empty()) {
    return makeError(ErrorCategory::Decoding, "bad_reply",
                     "NetlogonReply: a session-base-key must come with STATUS_SUCCESS and only with it");
  }
  return m;
}

Bytes frameNetlogon(BytesView body) {
  Bytes out;
  out.reserve(body.size() + 4);
  const auto n = static_cast<std::uint32_t>(body.size());
  out.push_back(static_cast<std::uint8_t>(n >> 24));
  out.push_back(static_cast<std::uint8_t>(n >> 16));
  out.push_back(static_cast<std::uint8_t>(n >> 8));
  out.push_back(static_cast<std::uint8_t>(n));
  core::append(out, body);
  return out;
}

Result<std::size_t> netlogonFrameLength(BytesView header) {
  if (header.size() != 4) {
    return makeError(ErrorCategory::Decoding, "bad_frame_length", "a frame header is 4 octets");
  }
  const std::uint32_t n = (std::uint32_t{header[0]} << 24) | (std::uint32_t{header[1]} << 16) |
                          (std::uint32_t{header[2]} << 8) | header[3];
  if (n == 0 || n > kNetlogonMaxFrameBytes) {
    return makeError(ErrorCategory::Decoding, "bad_frame_length",
                     "frame announces " + std::to_string(n) + " octets; allowed 1.." +
                         std::to_string(kNetlogonMaxFrameBytes));
  }
  return static_cast<std::size_t>(n);
}

}  // namespace kerbpool::netlogon
