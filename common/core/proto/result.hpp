// Why a packet or an encoding was refused. Decoders and encoders return these instead of
// throwing: bad input from the network is routine, not exceptional.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hb::proto {

enum class Problem {
  empty,           // nothing but whitespace/NUL
  garbage,         // does not start with ">>>\n" or "###\n"
  oversized,       // longer than Limits::max_packet, or too many fields
  truncated,       // ends before its end marker, or in the middle of a field
  bad_length,      // netstring: length missing, not a number, too large, or not followed by ','
  bad_field,       // a field without '=', an unknown type, a forbidden byte, bad base64...
  trailing_data,   // bytes after the message's end (other than one NUL)
  missing_auth,    // no auth field / no netstring auth trailer
  bad_auth,        // auth value unparseable ("<index> <hexdigest>")
  unknown_key,     // the index it names is not in authkeys
  bad_digest,      // the digest does not match: forged, tampered with, or a different key
  no_signing_key,  // encoding: authkeys has no usable active index
  unencodable,     // encoding: a value the format cannot carry (e.g. 0x13 in classic)
};

// Counter classes exported on D-Bus ("malformed", "oversized", "bad-auth").
enum class ProblemClass { malformed, oversized, bad_auth };

ProblemClass classify(Problem problem);
std::string_view to_string(Problem problem);
std::string_view to_string(ProblemClass problem_class);

struct Error {
  Problem problem = Problem::garbage;
  std::string detail;  // for the (rate-limited) log: what exactly was wrong, where
};

// A value or the reason there is none. (std::expected is C++23.)
template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT
  Result(Problem problem, std::string detail) : v_(Error{problem, std::move(detail)}) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }
  Problem problem() const { return error().problem; }

 private:
  std::variant<T, Error> v_;
};

}  // namespace hb::proto
