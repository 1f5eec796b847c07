#ifndef SIPPET_TESTS_SUPPORT_TEST_CERTS_H_
#define SIPPET_TESTS_SUPPORT_TEST_CERTS_H_

#include <string>

namespace sippet::testing {

// A throwaway self-signed certificate (EC P-256, valid one day) for `dns_name`, written as
// PEM files into a fresh temporary directory that the destructor removes. The certificate is
// its own CA, so its cert_path doubles as a ca_file for clients.
class SelfSignedCert {
 public:
  explicit SelfSignedCert(const std::string& dns_name);
  ~SelfSignedCert();
  SelfSignedCert(const SelfSignedCert&) = delete;
  SelfSignedCert& operator=(const SelfSignedCert&) = delete;

  bool ok() const { return !cert_path_.empty(); }
  const std::string& cert_path() const { return cert_path_; }
  const std::string& key_path() const { return key_path_; }

 private:
  std::string dir_;
  std::string cert_path_;
  std::string key_path_;
};

}  // namespace sippet::testing

#endif  // SIPPET_TESTS_SUPPORT_TEST_CERTS_H_
