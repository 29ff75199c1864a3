// HTTP validators for the REST API: an entity tag from a response body, and whether a request's
// If-None-Match names it (so the answer is 304 Not Modified).
#pragma once

#include <string>
#include <string_view>

namespace hb::status {

// A strong entity tag, quoted: "\"5f1d3a9c0b2e4d67\"" (64-bit FNV-1a of the body, in hex).
std::string etag_of(std::string_view body);

// RFC 9110 If-None-Match: "*" or a comma-separated list of tags, weak ones (W/"...") compared
// weakly, as the method GET allows.
bool if_none_match(std::string_view header, std::string_view etag);

}  // namespace hb::status
