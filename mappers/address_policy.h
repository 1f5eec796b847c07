#ifndef SIPPET_MAPPERS_ADDRESS_POLICY_H_
#define SIPPET_MAPPERS_ADDRESS_POLICY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sippet {

// An IPv4 or IPv6 address as raw bytes. IPv4 uses the first 4 bytes.
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};

  // "10.0.0.1", "::1", "fe80::1", "::ffff:127.0.0.1". No zone ids, no brackets. Returns
  // nullopt for anything else (host names included).
  static std::optional<IpAddress> Parse(std::string_view text);
  std::string ToString() const;
  // For "::ffff:a.b.c.d" returns the IPv4 address a.b.c.d; otherwise the address itself.
  IpAddress Unmapped() const;
};

// An address range "a.b.c.d/n" or "x::/n". A bare address means a single host (/32, /128).
struct Cidr {
  IpAddress base;  // masked to the prefix
  int prefix = 0;

  // Returns nullopt for a malformed range (bad address, prefix out of range, trailing junk).
  static std::optional<Cidr> Parse(std::string_view text);
  // True when `addr` lies in the range. IPv4-mapped IPv6 addresses match IPv4 ranges.
  bool Contains(const IpAddress& addr) const;
  std::string ToString() const;
};

// Why an address is refused by default, or nullptr when it is an ordinary public address.
// Refused: loopback (127/8, ::1), link-local (169.254/16, fe80::/10 — cloud metadata),
// private (10/8, 172.16/12, 192.168/16, fc00::/7), unspecified (0/8, ::), multicast
// (224/4, ff00::/8), CGNAT (100.64/10), broadcast and reserved 240/4, and the IPv4-mapped /
// NAT64 (64:ff9b::/96) forms of all IPv4 ones.
const char* ForbiddenRangeReason(const IpAddress& addr);

// Outbound address policy of one target: the default refusals above, minus the ranges the
// target's configuration explicitly allows (for a self-hosted CRM on the LAN).
class AddressPolicy {
 public:
  AddressPolicy() = default;
  explicit AddressPolicy(std::vector<Cidr> allowed) : allowed_(std::move(allowed)) {}

  // Parses allow-list entries; on a bad entry returns false and names it in *error.
  static bool FromStrings(const std::vector<std::string>& cidrs, AddressPolicy* out,
                          std::string* error);

  // nullptr when the address may be reached, else the reason it may not.
  const char* Check(const IpAddress& addr) const;

 private:
  std::vector<Cidr> allowed_;
};

}  // namespace sippet

#endif  // SIPPET_MAPPERS_ADDRESS_POLICY_H_
