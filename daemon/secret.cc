#include "daemon/secret.h"

#include <openssl/crypto.h>

namespace sippet {

Secret::~Secret() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
}

}  // namespace sippet
