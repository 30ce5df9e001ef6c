// mit_gss_token SERVICE@HOST [--krb5] [--bindings HEX]
//
// A test peer: MIT GSS-API's gss_init_sec_context, with the caller's ccache (KRB5CCNAME, KRB5_CONFIG), prints
// the first context token for SERVICE@HOST in base64 (SPNEGO by default, raw krb5 with --krb5), ready for
// `Authorization: Negotiate`. --bindings HEX passes channel bindings as Windows and curl build them for HTTPS
// (address types GSS_C_AF_UNSPEC with no addresses, as Windows sends them, application data
// "tls-server-end-point:" followed by the certificate hash HEX), so that MIT computes the Bnd of the 0x8003
// checksum. Exit 0 with the token, 1 with GSS's messages on stderr.
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

gss_OID_desc kSpnego = {6, const_cast<char*>("\x2b\x06\x01\x05\x05\x02")};

void report(const char* what, OM_uint32 major, OM_uint32 minor) {
  for (const auto& [code, type] : {std::pair{major, GSS_C_GSS_CODE}, std::pair{minor, GSS_C_MECH_CODE}}) {
    OM_uint32 context = 0;
    do {
      OM_uint32 ignored = 0;
      gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
      gss_display_status(&ignored, code, type, GSS_C_NO_OID, &context, &text);
      std::fprintf(stderr, "mit_gss_token: %s: %.*s\n", what, static_cast<int>(text.length),
                   static_cast<const char*>(text.value));
      gss_release_buffer(&ignored, &text);
    } while (context != 0);
  }
}

bool fromHex(const std::string& hex, std::vector<unsigned char>& out) {
  if (hex.size() % 2 != 0) {
    return false;
  }
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    unsigned value = 0;
    if (std::sscanf(hex.c_str() + i, "%2x", &value) != 1) {
      return false;
    }
    out.push_back(static_cast<unsigned char>(value));
  }
  return true;
}

std::string base64(const unsigned char* p, std::size_t n) {
  static const char* const kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < n; i += 3) {
    const unsigned v = (p[i] << 16) | (i + 1 < n ? p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < n ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < n ? kAlphabet[v & 63] : '=';
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: mit_gss_token SERVICE@HOST [--krb5] [--bindings HEX]\n");
    return 2;
  }
  bool krb5 = false;
  std::vector<unsigned char> applicationData;
  bool bind = false;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--krb5") == 0) {
      krb5 = true;
    } else if (std::strcmp(argv[i], "--bindings") == 0 && i + 1 < argc) {
      const std::string prefix = "tls-server-end-point:";
      applicationData.assign(prefix.begin(), prefix.end());
      if (!fromHex(argv[++i], applicationData)) {
        std::fprintf(stderr, "mit_gss_token: --bindings takes hex\n");
        return 2;
      }
      bind = true;
    } else {
      std::fprintf(stderr, "mit_gss_token: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  OM_uint32 minor = 0;
  gss_buffer_desc nameText{std::strlen(argv[1]), argv[1]};
  gss_name_t target = GSS_C_NO_NAME;
  OM_uint32 major = gss_import_name(&minor, &nameText, GSS_C_NT_HOSTBASED_SERVICE, &target);
  if (GSS_ERROR(major)) {
    report("gss_import_name", major, minor);
    return 1;
  }
  gss_channel_bindings_struct bindings{};
  bindings.initiator_addrtype = GSS_C_AF_UNSPEC;
  bindings.acceptor_addrtype = GSS_C_AF_UNSPEC;
  bindings.application_data.length = applicationData.size();
  bindings.application_data.value = applicationData.data();
  gss_ctx_id_t context = GSS_C_NO_CONTEXT;
  gss_buffer_desc token = GSS_C_EMPTY_BUFFER;
  major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &context, target,
                               krb5 ? const_cast<gss_OID>(gss_mech_krb5) : &kSpnego, GSS_C_MUTUAL_FLAG, 0,
                               bind ? &bindings : GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, nullptr, &token,
                               nullptr, nullptr);
  if (GSS_ERROR(major)) {
    report("gss_init_sec_context", major, minor);
    return 1;
  }
  std::printf("%s\n", base64(static_cast<const unsigned char*>(token.value), token.length).c_str());
  gss_release_buffer(&minor, &token);
  gss_delete_sec_context(&minor, &context, GSS_C_NO_BUFFER);
  gss_release_name(&minor, &target);
  return 0;
}
