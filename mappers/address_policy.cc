#include "mappers/address_policy.h"

#include <arpa/inet.h>

#include <cstring>

namespace sippet {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 3) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

IpAddress V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  IpAddress ip;
  ip.bytes[0] = a;
  ip.bytes[1] = b;
  ip.bytes[2] = c;
  ip.bytes[3] = d;
  return ip;
}

// Compares the first `prefix` bits.
bool PrefixEqual(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b,
                 int prefix) {
  int full = prefix / 8;
  if (std::memcmp(a.data(), b.data(), full) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

struct Range {
  const char* cidr;
  const char* reason;
};

constexpr Range kForbiddenV4[] = {
    {"0.0.0.0/8", "unspecified"},       {"10.0.0.0/8", "private"},
    {"100.64.0.0/10", "cgnat"},         {"127.0.0.0/8", "loopback"},
    {"169.254.0.0/16", "link-local"},   {"172.16.0.0/12", "private"},
    {"192.0.0.0/24", "reserved"},       {"192.168.0.0/16", "private"},
    {"198.18.0.0/15", "reserved"},      {"224.0.0.0/4", "multicast"},
    {"240.0.0.0/4", "reserved"},  // includes 255.255.255.255 broadcast
};
constexpr Range kForbiddenV6[] = {
    {"::/128", "unspecified"},   {"::1/128", "loopback"},     {"fe80::/10", "link-local"},
    {"fc00::/7", "private"},     {"ff00::/8", "multicast"},   {"fec0::/10", "reserved"},
};

}  // namespace

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  std::string s(text);
  IpAddress ip;
  if (s.find(':') != std::string::npos) {
    if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) != 1) return std::nullopt;
    ip.v6 = true;
    return ip;
  }
  // Dotted quad only: inet_pton(AF_INET) already refuses the "0x7f.1" and "2130706433" forms.
  size_t start = 0;
  int parts = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = std::string_view(s).substr(start, dot == std::string::npos
                                                                  ? std::string::npos
                                                                  : dot - start);
    if (!AllDigits(part)) return std::nullopt;
    ++parts;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (parts != 4 || inet_pton(AF_INET, s.c_str(), ip.bytes.data()) != 1) return std::nullopt;
  return ip;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof(buf));
  return buf;
}

IpAddress IpAddress::Unmapped() const {
  if (!v6) return *this;
  static const std::array<uint8_t, 16> kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  static const std::array<uint8_t, 16> kNat64 = {0, 0x64, 0xFF, 0x9B};
  if (PrefixEqual(bytes, kMapped, 96) || PrefixEqual(bytes, kNat64, 96)) {
    return V4(bytes[12], bytes[13], bytes[14], bytes[15]);
  }
  return *this;
}

std::optional<Cidr> Cidr::Parse(std::string_view text) {
  size_t slash = text.find('/');
  std::optional<IpAddress> ip = IpAddress::Parse(text.substr(0, slash));
  if (!ip) return std::nullopt;
  int max = ip->v6 ? 128 : 32;
  int prefix = max;
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    if (!AllDigits(p)) return std::nullopt;
    prefix = std::stoi(std::string(p));
    if (prefix > max) return std::nullopt;
  }
  Cidr c;
  c.prefix = prefix;
  c.base.v6 = ip->v6;
  for (int i = 0; i < 16; ++i) {
    int bits = prefix - i * 8;
    uint8_t mask = bits >= 8 ? 0xFF : bits <= 0 ? 0 : static_cast<uint8_t>(0xFF << (8 - bits));
    c.base.bytes[i] = ip->bytes[i] & mask;
  }
  return c;
}

bool Cidr::Contains(const IpAddress& addr) const {
  IpAddress a = base.v6 ? addr : addr.Unmapped();
  if (a.v6 != base.v6) return false;
  return PrefixEqual(a.bytes, base.bytes, prefix);
}

std::string Cidr::ToString() const { return base.ToString() + "/" + std::to_string(prefix); }

const char* ForbiddenRangeReason(const IpAddress& addr) {
  IpAddress a = addr.Unmapped();
  if (!a.v6) {
    for (const Range& r : kForbiddenV4) {
      if (Cidr::Parse(r.cidr)->Contains(a)) return r.reason;
    }
    return nullptr;
  }
  for (const Range& r : kForbiddenV6) {
    if (Cidr::Parse(r.cidr)->Contains(a)) return r.reason;
  }
  return nullptr;
}

bool AddressPolicy::FromStrings(const std::vector<std::string>& cidrs, AddressPolicy* out,
                                std::string* error) {
  std::vector<Cidr> allowed;
  for (const std::string& s : cidrs) {
    std::optional<Cidr> c = Cidr::Parse(s);
    if (!c) {
      *error = "invalid address range \"" + s + "\" (expected e.g. 10.0.0.0/8 or fd00::/8)";
      return false;
    }
    allowed.push_back(*c);
  }
  *out = AddressPolicy(std::move(allowed));
  return true;
}

const char* AddressPolicy::Check(const IpAddress& addr) const {
  const char* reason = ForbiddenRangeReason(addr);
  if (reason == nullptr) return nullptr;
  for (const Cidr& c : allowed_) {
    if (c.Contains(addr)) return nullptr;
  }
  return reason;
}

}  // namespace sippet
