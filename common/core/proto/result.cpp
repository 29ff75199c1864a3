#include "core/proto/result.hpp"

#include "core/util/enum_names.hpp"

namespace hb::proto {
namespace {

constexpr auto problem_names = std::to_array<util::EnumName<Problem>>({
    {Problem::empty, "empty"},
    {Problem::garbage, "garbage"},
    {Problem::oversized, "oversized"},
    {Problem::truncated, "truncated"},
    {Problem::bad_length, "bad-length"},
    {Problem::bad_field, "bad-field"},
    {Problem::trailing_data, "trailing-data"},
    {Problem::missing_auth, "missing-auth"},
    {Problem::bad_auth, "bad-auth-field"},
    {Problem::unknown_key, "unknown-key"},
    {Problem::bad_digest, "bad-digest"},
    {Problem::no_signing_key, "no-signing-key"},
    {Problem::unencodable, "unencodable"},
});
static_assert(util::names_are_complete(problem_names));

constexpr auto problem_class_names = std::to_array<util::EnumName<ProblemClass>>({
    {ProblemClass::malformed, "malformed"},
    {ProblemClass::oversized, "oversized"},
    {ProblemClass::bad_auth, "bad-auth"},
});
static_assert(util::names_are_complete(problem_class_names));

}  // namespace

ProblemClass classify(Problem problem) {
  switch (problem) {
    case Problem::oversized:
      return ProblemClass::oversized;
    case Problem::missing_auth:
    case Problem::bad_auth:
    case Problem::unknown_key:
    case Problem::bad_digest:
    case Problem::no_signing_key:
      return ProblemClass::bad_auth;
    default:
      return ProblemClass::malformed;
  }
}

std::string_view to_string(Problem problem) {
  return util::to_string(problem_names, problem);
}

std::string_view to_string(ProblemClass problem_class) {
  return util::to_string(problem_class_names, problem_class);
}

}  // namespace hb::proto
