// The kdc library's translation units are added by the directory, KDC and Netlogon modules.
namespace kerbpool::kdc {
int libraryAnchor() {
  return 0;
}
}  // namespace kerbpool::kdc
