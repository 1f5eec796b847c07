#include "tests/support/test_certs.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>

namespace sippet::testing {
namespace {

bool WriteCert(X509* cert, EVP_PKEY* key, const std::string& cert_path,
               const std::string& key_path) {
  FILE* c = std::fopen(cert_path.c_str(), "w");
  if (c == nullptr) return false;
  bool ok = PEM_write_X509(c, cert) == 1;
  std::fclose(c);
  FILE* k = std::fopen(key_path.c_str(), "w");
  if (k == nullptr) return false;
  ok = ok && PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(k);
  return ok;
}

}  // namespace

SelfSignedCert::SelfSignedCert(const std::string& dns_name) {
  char tmpl[] = "/tmp/sippet-cert-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return;
  dir_ = tmpl;
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  bool ok = key != nullptr && cert != nullptr;
  if (ok) {
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(dns_name.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    std::string san = "DNS:" + dns_name;
    for (auto [nid, value] : {std::pair<int, std::string>{NID_subject_alt_name, san},
                              {NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
      ok = ok && ext != nullptr && X509_add_ext(cert, ext, -1) == 1;
      X509_EXTENSION_free(ext);
    }
    ok = ok && X509_sign(cert, key, EVP_sha256()) > 0;
    cert_path_ = dir_ + "/cert.pem";
    key_path_ = dir_ + "/key.pem";
    ok = ok && WriteCert(cert, key, cert_path_, key_path_);
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  if (!ok) cert_path_.clear();
}

SelfSignedCert::~SelfSignedCert() {
  if (dir_.empty()) return;
  unlink((dir_ + "/cert.pem").c_str());
  unlink((dir_ + "/key.pem").c_str());
  rmdir(dir_.c_str());
}

}  // namespace sippet::testing
