#include "mappers/address_policy.h"

#include <gtest/gtest.h>

namespace sippet {
namespace {

TEST(AddressPolicyTest, ParsesAddressesAndRejectsEverythingElse) {
  struct Case {
    const char* text;
    bool ok;
    const char* normalised;
  } cases[] = {
      {"10.1.2.3", true, "10.1.2.3"},
      {"::1", true, "::1"},
      {"FE80::1", true, "fe80::1"},
      {"::ffff:127.0.0.1", true, "::ffff:127.0.0.1"},
      {"2001:db8::8:800:200c:417a", true, "2001:db8::8:800:200c:417a"},
      {"", false, ""},
      {"localhost", false, ""},
      {"256.1.1.1", false, ""},
      {"1.2.3", false, ""},
      {"0x7f.0.0.1", false, ""},
      {"2130706433", false, ""},  // 127.0.0.1 as one number
      {"1.2.3.4.5", false, ""},
      {"[::1]", false, ""},
      {"fe80::1%eth0", false, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto ip = IpAddress::Parse(c.text);
    ASSERT_EQ(ip.has_value(), c.ok);
    if (c.ok) {
      EXPECT_EQ(ip->ToString(), c.normalised);
    }
  }
}

TEST(AddressPolicyTest, CidrParsingAndMatching) {
  struct Case {
    const char* cidr;
    const char* addr;
    bool contains;
  } cases[] = {
      {"127.0.0.0/8", "127.0.0.1", true},
      {"127.0.0.0/8", "127.255.255.254", true},
      {"127.0.0.0/8", "128.0.0.1", false},
      {"127.0.0.0/8", "::ffff:127.0.0.1", true},  // mapped IPv6 matches an IPv4 range
      {"10.1.2.3", "10.1.2.3", true},             // bare address = /32
      {"10.1.2.3", "10.1.2.4", false},
      {"172.16.0.0/12", "172.31.255.255", true},
      {"172.16.0.0/12", "172.32.0.0", false},
      {"192.168.1.77/24", "192.168.1.1", true},  // host bits are masked off
      {"0.0.0.0/0", "8.8.8.8", true},
      {"0.0.0.0/0", "::1", false},  // IPv4 range never matches a plain IPv6 address
      {"fd00::/8", "fd12:3456::1", true},
      {"fd00::/8", "fe80::1", false},
      {"fe80::/10", "febf::1", true},
      {"fe80::/10", "fec0::1", false},
      {"::1/128", "::1", true},
      {"::/0", "2001:db8::1", true},
      {"2001:db8::/33", "2001:db8:7fff::1", true},
      {"2001:db8::/33", "2001:db8:8000::1", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.cidr) + " ∋ " + c.addr);
    auto cidr = Cidr::Parse(c.cidr);
    ASSERT_TRUE(cidr.has_value());
    auto ip = IpAddress::Parse(c.addr);
    ASSERT_TRUE(ip.has_value());
    EXPECT_EQ(cidr->Contains(*ip), c.contains);
  }
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x",
                          "example.com/8", "/8", ""}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(Cidr::Parse(bad).has_value());
  }
  EXPECT_EQ(Cidr::Parse("192.168.1.77/24")->ToString(), "192.168.1.0/24");
}

TEST(AddressPolicyTest, DefaultRefusalsCoverMetadataPrivateAndLoopback) {
  struct Case {
    const char* addr;
    const char* reason;  // nullptr = public
  } cases[] = {
      {"127.0.0.1", "loopback"},       {"::1", "loopback"},
      {"169.254.169.254", "link-local"},  // cloud metadata
      {"fe80::1", "link-local"},       {"10.0.0.5", "private"},
      {"172.16.0.1", "private"},       {"172.31.255.255", "private"},
      {"192.168.0.1", "private"},      {"fd00::1", "private"},
      {"0.0.0.0", "unspecified"},      {"::", "unspecified"},
      {"224.0.0.1", "multicast"},      {"ff02::1", "multicast"},
      {"100.64.0.1", "cgnat"},         {"255.255.255.255", "reserved"},
      {"::ffff:169.254.169.254", "link-local"},  // mapped form of metadata
      {"64:ff9b::a9fe:a9fe", "link-local"},      // NAT64 form of metadata
      {"::ffff:10.0.0.1", "private"},
      {"8.8.8.8", nullptr},            {"172.32.0.1", nullptr},
      {"100.128.0.1", nullptr},        {"2606:4700::1111", nullptr},
  };
  AddressPolicy policy;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.addr);
    const char* got = policy.Check(*IpAddress::Parse(c.addr));
    if (c.reason == nullptr) {
      EXPECT_EQ(got, nullptr);
    } else {
      ASSERT_NE(got, nullptr);
      EXPECT_STREQ(got, c.reason);
    }
  }
}

TEST(AddressPolicyTest, AllowListPermitsOnlyTheNamedRanges) {
  AddressPolicy policy;
  std::string error;
  ASSERT_TRUE(AddressPolicy::FromStrings({"127.0.0.0/8", "fd00::/8"}, &policy, &error)) << error;
  EXPECT_EQ(policy.Check(*IpAddress::Parse("127.0.0.1")), nullptr);
  EXPECT_EQ(policy.Check(*IpAddress::Parse("fd00::7")), nullptr);
  EXPECT_STREQ(policy.Check(*IpAddress::Parse("169.254.169.254")), "link-local");
  EXPECT_STREQ(policy.Check(*IpAddress::Parse("10.0.0.1")), "private");

  EXPECT_FALSE(AddressPolicy::FromStrings({"10.0.0.0/8", "lan"}, &policy, &error));
  EXPECT_EQ(error, "invalid address range \"lan\" (expected e.g. 10.0.0.0/8 or fd00::/8)");
}

}  // namespace
}  // namespace sippet
