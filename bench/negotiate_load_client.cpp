#include "bench/negotiate_load_client.hpp"

#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

namespace kerbpool::bench {

namespace {

gss_OID_desc spnegoOid = {6, const_cast<char*>("\x2b\x06\x01\x05\x05\x02")};

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64Encode(const unsigned char* in, std::size_t n, std::string& out) {
  out.clear();
  out.reserve((n + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const unsigned v = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i < n) {
    const unsigned v = (in[i] << 16) | (i + 1 < n ? in[i + 1] << 8 : 0);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < n ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
}

// Strict decoding (padding required); nullopt on any stray character.
std::optional<std::string> base64Decode(std::string_view in) {
  if (in.size() % 4 != 0) {
    return std::nullopt;
  }
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '+' ? 62 : c == '/' ? 63 : -1;
  };
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (std::size_t i = 0; i < in.size(); i += 4) {
    const int a = value(in[i]);
    const int b = value(in[i + 1]);
    const bool last = i + 4 == in.size();
    const int c = last && in[i + 2] == '=' ? -2 : value(in[i + 2]);
    const int d = last && in[i + 3] == '=' ? -2 : value(in[i + 3]);
    if (a < 0 || b < 0 || c == -1 || d == -1 || (c == -2 && d != -2)) {
      return std::nullopt;
    }
    out += static_cast<char>((a << 2) | (b >> 4));
    if (c >= 0) {
      out += static_cast<char>(((b & 15) << 4) | (c >> 2));
      if (d >= 0) {
        out += static_cast<char>(((c & 3) << 6) | d);
      }
    }
  }
  return out;
}

std::string gssMessage(OM_uint32 major, OM_uint32 minor) {
  std::string text;
  for (int type : {GSS_C_GSS_CODE, GSS_C_MECH_CODE}) {
    const OM_uint32 code = type == GSS_C_GSS_CODE ? major : minor;
    if (type == GSS_C_MECH_CODE && minor == 0) {
      break;
    }
    OM_uint32 ctx = 0;
    do {
      OM_uint32 m = 0;
      gss_buffer_desc buf = GSS_C_EMPTY_BUFFER;
      if (gss_display_status(&m, code, type, GSS_C_NO_OID, &ctx, &buf) != GSS_S_COMPLETE) {
        break;
      }
      text += (text.empty() ? "" : "; ") + std::string(static_cast<const char*>(buf.value), buf.length);
      gss_release_buffer(&m, &buf);
    } while (ctx != 0);
  }
  return text;
}

}  // namespace

NegotiateLoadClient::~NegotiateLoadClient() {
  disconnect();
  OM_uint32 minor = 0;
  if (cred_ != GSS_C_NO_CREDENTIAL) {
    gss_release_cred(&minor, &cred_);
  }
  if (target_ != GSS_C_NO_NAME) {
    gss_release_name(&minor, &target_);
  }
  if (memCcache_ != nullptr) {
    krb5_cc_destroy(kctx_, memCcache_);
  }
  if (kctx_ != nullptr) {
    krb5_free_context(kctx_);
  }
}

bool NegotiateLoadClient::open() {
  OM_uint32 minor = 0;
  gss_buffer_desc nameBuf{o_.service.size(), const_cast<char*>(o_.service.data())};
  OM_uint32 major = gss_import_name(&minor, &nameBuf, GSS_C_NT_HOSTBASED_SERVICE, &target_);
  if (GSS_ERROR(major)) {
    return fail("gss_import_name: " + gssMessage(major, minor));
  }
  mech_ = o_.mech == Mech::Spnego ? &spnegoOid : gss_mech_krb5;
  gss_OID_set_desc mechs{1, mech_};
  if (o_.ccache == CcacheMode::Memory) {
    std::string name;
    if (!copyCcacheToMemory(name)) {
      return false;
    }
    gss_key_value_element_desc element{"ccache", name.c_str()};
    gss_key_value_set_desc store{1, &element};
    major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, &mechs, GSS_C_INITIATE, &store,
                                  &cred_, nullptr, nullptr);
  } else {
    major = gss_acquire_cred(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, &mechs, GSS_C_INITIATE, &cred_, nullptr,
                             nullptr);
  }
  if (GSS_ERROR(major)) {
    return fail("gss_acquire_cred: " + gssMessage(major, minor));
  }
  return connect();
}

bool NegotiateLoadClient::request() {
  if (fd_ < 0) {
    ++reconnects_;
    if (!connect()) {
      return false;
    }
  }
  OM_uint32 minor = 0;
  gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
  gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
  const OM_uint32 flags = o_.mutual ? GSS_C_MUTUAL_FLAG : 0;
  OM_uint32 major =
      gss_init_sec_context(&minor, cred_, &ctx, target_, mech_, flags, GSS_C_INDEFINITE,
                           GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, nullptr, &out, nullptr, nullptr);
  if (GSS_ERROR(major)) {
    gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
    return fail("gss_init_sec_context: " + gssMessage(major, minor));
  }
  const bool continueNeeded = (major & GSS_S_CONTINUE_NEEDED) != 0;
  base64Encode(static_cast<const unsigned char*>(out.value), out.length, token_);
  gss_release_buffer(&minor, &out);

  request_.clear();
  request_ += "GET ";
  request_ += o_.path;
  request_ += " HTTP/1.1\r\nHost: ";
  request_ += o_.hostHeader;
  request_ += "\r\nAuthorization: Negotiate ";
  request_ += token_;
  request_ += "\r\n\r\n";
  Response response;
  if (!sendAll(request_) || !readResponse(response)) {
    gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
    disconnect();
    return false;
  }
  if (response.close) {
    disconnect();
  }
  bool good = response.status == 200;
  if (!good) {
    fail("HTTP status " + std::to_string(response.status));
  } else if (continueNeeded && o_.verify) {
    good = verifyMutual(ctx, response);
  }
  gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
  return good;
}

bool NegotiateLoadClient::fail(const std::string& what) {
  if (error_.empty()) {
    error_ = what;
  }
  return false;
}

bool NegotiateLoadClient::copyCcacheToMemory(std::string& name) {
  krb5_error_code rc = krb5_init_context(&kctx_);
  if (rc != 0) {
    kctx_ = nullptr;
    return fail("krb5_init_context failed");
  }
  krb5_ccache source = nullptr;
  krb5_principal client = nullptr;
  if ((rc = krb5_cc_default(kctx_, &source)) == 0 &&
      (rc = krb5_cc_get_principal(kctx_, source, &client)) == 0 &&
      (rc = krb5_cc_new_unique(kctx_, "MEMORY", nullptr, &memCcache_)) == 0 &&
      (rc = krb5_cc_initialize(kctx_, memCcache_, client)) == 0) {
    rc = krb5_cc_copy_creds(kctx_, source, memCcache_);
  }
  if (client != nullptr) {
    krb5_free_principal(kctx_, client);
  }
  if (source != nullptr) {
    krb5_cc_close(kctx_, source);
  }
  if (rc != 0) {
    const char* msg = krb5_get_error_message(kctx_, rc);
    fail(std::string("copying the default ccache into MEMORY: ") + msg);
    krb5_free_error_message(kctx_, msg);
    return false;
  }
  name = std::string("MEMORY:") + krb5_cc_get_name(kctx_, memCcache_);
  return true;
}

bool NegotiateLoadClient::verifyMutual(gss_ctx_id_t& ctx, const Response& response) {
  if (!response.negotiateToken) {
    return fail("200 without a WWW-Authenticate: Negotiate token (mutual authentication)");
  }
  const auto bytes = base64Decode(*response.negotiateToken);
  if (!bytes) {
    return fail("WWW-Authenticate: Negotiate token is not base64");
  }
  OM_uint32 minor = 0;
  gss_buffer_desc in{bytes->size(), const_cast<char*>(bytes->data())};
  gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
  OM_uint32 retFlags = 0;
  const OM_uint32 major =
      gss_init_sec_context(&minor, cred_, &ctx, target_, mech_, GSS_C_MUTUAL_FLAG, GSS_C_INDEFINITE,
                           GSS_C_NO_CHANNEL_BINDINGS, &in, nullptr, &out, &retFlags, nullptr);
  gss_release_buffer(&minor, &out);
  if (major != GSS_S_COMPLETE) {
    return fail("mutual authentication (second gss_init_sec_context): " + gssMessage(major, minor));
  }
  if ((retFlags & GSS_C_MUTUAL_FLAG) == 0) {
    return fail("context completed without mutual authentication");
  }
  return true;
}

}  // namespace kerbpool::bench
