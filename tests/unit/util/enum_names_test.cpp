#include "core/util/enum_names.hpp"

#include <gtest/gtest.h>

#include "core/config/authkeys.hpp"
#include "core/config/ha_cf.hpp"
#include "core/config/haresources.hpp"
#include "core/failover/engine.hpp"
#include "core/link/packet_pipeline.hpp"
#include "core/liveness/tracker.hpp"
#include "core/membership/tracker.hpp"
#include "core/proto/packet.hpp"
#include "core/proto/result.hpp"
#include "core/proto/sequence.hpp"

namespace hb::util {
namespace {

enum class Colour { red, green, blue };

constexpr auto colour_names = std::to_array<EnumName<Colour>>({
    {Colour::red, "red"},
    {Colour::green, "green"},
    {Colour::blue, "blue-ish"},
});

// Both directions work at compile time, so a table can be checked where it is written.
static_assert(names_are_unique(colour_names));
static_assert(std::string_view(to_string(colour_names, Colour::blue)) == "blue-ish");
static_assert(parse(colour_names, "green") == Colour::green);
static_assert(!parse(colour_names, "purple").has_value());

// The compiler knows how many enumerators an enum has (enumerators.hpp), gaps included.
enum class Sparse : unsigned char { one = 1, seven = 7 };
static_assert(enumerator_count<Colour>() == 3);
static_assert(enumerator_count<Sparse>() == 2);
static_assert(is_enumerator(Sparse::seven) && !is_enumerator(static_cast<Sparse>(0)));
static_assert(!is_enumerator(static_cast<Sparse>(200)));  // past the probed range
static_assert(names_are_complete(colour_names));

TEST(EnumNames, ToStringAndParseAreInverse) {
  for (const auto& n : colour_names) {
    EXPECT_STREQ(to_string(colour_names, n.value), n.name);
    EXPECT_EQ(parse(colour_names, n.name), n.value);
  }
}

TEST(EnumNames, ParseIsExactAndCaseSensitive) {
  EXPECT_EQ(parse(colour_names, "Red"), std::nullopt);
  EXPECT_EQ(parse(colour_names, "red "), std::nullopt);
  EXPECT_EQ(parse(colour_names, ""), std::nullopt);
  EXPECT_EQ(parse(colour_names, "blue"), std::nullopt);
}

TEST(EnumNames, AValueOutsideTheTableGetsTheFallback) {
  const auto stray = static_cast<Colour>(42);
  EXPECT_STREQ(to_string(colour_names, stray), "unknown");
  EXPECT_STREQ(to_string(colour_names, stray, "red"), "red");
}

TEST(EnumNames, DuplicateValuesOrNamesAreRejected) {
  constexpr auto same_value =
      std::to_array<EnumName<Colour>>({{Colour::red, "a"}, {Colour::red, "b"}});
  constexpr auto same_name =
      std::to_array<EnumName<Colour>>({{Colour::red, "a"}, {Colour::blue, "a"}});
  static_assert(!names_are_unique(same_value));
  static_assert(!names_are_unique(same_name));
}

// A table that forgets an enumerator, or lists a value that is none, is not complete: the
// static_assert beside hb's tables fails the build (they all use names_are_complete).
TEST(EnumNames, ATableWithoutARowForEveryEnumeratorIsIncomplete) {
  constexpr auto without_blue =
      std::to_array<EnumName<Colour>>({{Colour::red, "red"}, {Colour::green, "green"}});
  constexpr auto with_a_stray = std::to_array<EnumName<Colour>>({{Colour::red, "red"},
                                                                 {Colour::green, "green"},
                                                                 {Colour::blue, "blue"},
                                                                 {static_cast<Colour>(3), "x"}});
  constexpr auto sparse =
      std::to_array<EnumName<Sparse>>({{Sparse::one, "one"}, {Sparse::seven, "seven"}});
  static_assert(names_are_unique(without_blue) && !names_are_complete(without_blue));
  static_assert(names_are_unique(with_a_stray) && !names_are_complete(with_a_stray));
  static_assert(names_are_complete(sparse));
  EXPECT_FALSE(names_are_complete(without_blue));
  EXPECT_FALSE(names_are_complete(with_a_stray));
  EXPECT_TRUE(names_are_complete(sparse));
  EXPECT_TRUE(names_are_complete(colour_names));
}

// The strings hb exports (D-Bus, journal, hbctl JSON) did not change when the switches became
// tables.
TEST(EnumNames, HbsExportedSpellingsAreKept) {
  EXPECT_STREQ(config::to_string(config::AutoFailback::legacy), "legacy");
  EXPECT_STREQ(config::to_string(config::Medium::Kind::ucast6), "ucast6");
  EXPECT_STREQ(config::to_string(config::AuthKey::Method::sha256), "sha256");
  EXPECT_STREQ(config::to_string(config::Resource::Kind::filesystem), "filesystem");
  EXPECT_EQ(liveness::to_string(liveness::LinkState::late), "late");
  EXPECT_EQ(liveness::to_string(liveness::PeerKind::ping), "ping");
  EXPECT_EQ(liveness::parse_link_state("late"), liveness::LinkState::late);
  EXPECT_EQ(liveness::parse_link_state("init"), liveness::LinkState::init);
  EXPECT_EQ(liveness::parse_link_state("Dead"), std::nullopt);
  EXPECT_EQ(liveness::parse_link_state(""), std::nullopt);
  EXPECT_EQ(membership::to_string(membership::NodeState::dead), "dead");
  EXPECT_EQ(membership::to_string(membership::Reason::first_contact), "first-contact");
  EXPECT_EQ(membership::to_string(membership::Reason::never_heard), "never-heard");
  EXPECT_EQ(proto::to_string(proto::WireFormat::netstring), "netstring");
  EXPECT_EQ(proto::to_string(proto::Problem::bad_auth), "bad-auth-field");
  EXPECT_EQ(proto::to_string(proto::ProblemClass::bad_auth), "bad-auth");
  EXPECT_EQ(proto::to_string(proto::SeqVerdict::accept_gap), "accept-gap");
  EXPECT_EQ(linkd::to_string(linkd::Reject::unknown_node), "unknown-node");
  EXPECT_EQ(linkd::to_string(linkd::Reject::generation_out_of_bound), "generation-out-of-bound");
  EXPECT_EQ(failover::to_string(failover::GroupState::running), "running");
  EXPECT_EQ(failover::to_string(failover::Result::stop_failed), "stop_failed");
  EXPECT_EQ(failover::to_string(failover::LogKind::standby_cancelled), "standby_cancelled");
  EXPECT_EQ(failover::to_string(failover::NodeChange::clean_shutdown), "clean_shutdown");
  EXPECT_EQ(failover::parse_scope("failback"), failover::Scope::failback);
  EXPECT_EQ(failover::parse_scope("All"), std::nullopt);
}

}  // namespace
}  // namespace hb::util
