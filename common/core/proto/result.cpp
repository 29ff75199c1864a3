#include "core/proto/result.hpp"

namespace hb::proto {

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
  switch (problem) {
    case Problem::empty:
      return "empty";
    case Problem::garbage:
      return "garbage";
    case Problem::oversized:
      return "oversized";
    case Problem::truncated:
      return "truncated";
    case Problem::bad_length:
      return "bad-length";
    case Problem::bad_field:
      return "bad-field";
    case Problem::trailing_data:
      return "trailing-data";
    case Problem::missing_auth:
      return "missing-auth";
    case Problem::bad_auth:
      return "bad-auth-field";
    case Problem::unknown_key:
      return "unknown-key";
    case Problem::bad_digest:
      return "bad-digest";
    case Problem::no_signing_key:
      return "no-signing-key";
    case Problem::unencodable:
      return "unencodable";
  }
  return "unknown";
}

std::string_view to_string(ProblemClass problem_class) {
  switch (problem_class) {
    case ProblemClass::malformed:
      return "malformed";
    case ProblemClass::oversized:
      return "oversized";
    case ProblemClass::bad_auth:
      return "bad-auth";
  }
  return "unknown";
}

}  // namespace hb::proto
